package io.tokenfactory.gateway.limits;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.tokenfactory.gateway.GatewayProperties;
import io.tokenfactory.gateway.apikey.ApiKeyView;

import org.springframework.stereotype.Component;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Requests-per-minute and tokens-per-minute for a key and its department. Tokens are
 * reserved before a request is forwarded (its prompt estimate plus its completion limit)
 * and settled to the actual usage afterwards, so concurrent requests can overshoot a
 * limit by at most one reservation's difference from actual usage.
 */
@Component
class Allowance {

    static final Duration WINDOW = Duration.ofMinutes(1);

    /**
     * How long a count of requests under way lives after its last change: one whose
     * gateway died is forgotten then.
     */
    static final Duration UNDER_WAY = Duration.ofMinutes(15);

    private final LimitStore store;

    private final GatewayProperties.Limits limits;

    private final Clock clock;

    Allowance(LimitStore store, GatewayProperties properties, Clock clock) {
        this.store = store;
        this.limits = properties.limits();
        this.clock = clock;
    }

    /**
     * Counters a request took, to be settled or given back, and what is left of the
     * tightest of its limits.
     */
    record Reservation(List<String> tokenCounters, long tokens, Headroom headroom) {

        static final Reservation NONE = new Reservation(List.of(), 0, Headroom.NONE);

    }

    /**
     * What is left of the tightest limit that applied, as OpenAI's {@code x-ratelimit-*}
     * headers tell it; NONE where no limit applies.
     */
    record Headroom(long limit, long remaining, long resetSeconds) {

        static final Headroom NONE = new Headroom(-1, -1, 0);

        boolean applies() {
            return limit >= 0;
        }

        /** The one with less left (NONE counts as unlimited). */
        Headroom tighter(Headroom other) {
            if (!applies()) {
                return other;
            }
            return !other.applies() || remaining <= other.remaining ? this : other;
        }

        /** OpenAI's duration format: {@code 17s}, {@code 1m0s}. */
        String reset() {
            return resetSeconds < 60 ? resetSeconds + "s" : (resetSeconds / 60) + "m" + (resetSeconds % 60) + "s";
        }

    }

    /** A place among the key's requests under way; NONE where no limit applies. */
    record Slot(String counter) {

        static final Slot NONE = new Slot("");

    }

    /** Refused: which limit, and in how many seconds the window resets. */
    static final class LimitExceeded extends RuntimeException {

        private final long retryAfterSeconds;

        LimitExceeded(String message, long retryAfterSeconds) {
            super(message);
            this.retryAfterSeconds = retryAfterSeconds;
        }

        long retryAfterSeconds() {
            return retryAfterSeconds;
        }

    }

    /**
     * A single request larger than a whole limit: it could never pass, so it is not a
     * matter of waiting.
     */
    static final class RequestTooLarge extends RuntimeException {

        RequestTooLarge(String message) {
            super(message);
        }

    }

    /**
     * Counts one request against the key's and the department's requests per minute; all
     * or nothing.
     */
    Mono<Headroom> countRequest(ApiKeyView key) {
        long window = currentWindow();
        String keyCounter = "rpm:key:" + key.id() + ":" + window;
        Integer keyRpm = key.rpmLimit() != null ? key.rpmLimit()
                : key.departmentId() == null ? null : limits.defaultKeyRpm();
        Mono<Headroom> perKey = keyRpm == null ? Mono.just(Headroom.NONE)
                : acquire(keyCounter, 1, keyRpm, "requests per minute of this key");
        return perKey.flatMap(keyHeadroom -> limits.departmentRpm() == null || key.departmentId() == null
                ? Mono.just(keyHeadroom)
                : acquire("rpm:department:" + key.departmentId() + ":" + window, 1, limits.departmentRpm(),
                        "requests per minute of this department")
                    .map(keyHeadroom::tighter)
                    // the department refused: the key's count for this request is given
                    // back
                    .onErrorResume(LimitExceeded.class,
                            refused -> (keyRpm == null ? Mono.<Void>empty() : store.adjust(keyCounter, -1, WINDOW))
                                .then(Mono.error(refused))));
    }

    /**
     * Reserves tokens against the key's and the department's tokens per minute; all or
     * nothing.
     */
    Mono<Reservation> reserveTokens(ApiKeyView key, long tokens) {
        long window = currentWindow();
        List<Limit> applicable = new ArrayList<>();
        Long keyTpm = key.tpmLimit() != null ? key.tpmLimit()
                : key.departmentId() == null ? null : limits.defaultKeyTpm();
        if (keyTpm != null) {
            applicable.add(new Limit("tpm:key:" + key.id() + ":" + window, keyTpm, "tokens per minute of this key"));
        }
        if (limits.departmentTpm() != null && key.departmentId() != null) {
            applicable.add(new Limit("tpm:department:" + key.departmentId() + ":" + window, limits.departmentTpm(),
                    "tokens per minute of this department"));
        }
        if (applicable.isEmpty()) {
            return Mono.just(Reservation.NONE);
        }
        for (Limit limit : applicable) {
            if (tokens > limit.limit()) {
                return Mono.error(new RequestTooLarge("This request may use up to " + tokens + " tokens, more than the "
                        + limit.description() + " (" + limit.limit() + "); lower max_tokens"));
            }
        }
        List<String> taken = new ArrayList<>();
        return Flux.fromIterable(applicable)
            .concatMap(limit -> acquire(limit.counter(), tokens, limit.limit(), limit.description())
                .doOnNext(ignored -> taken.add(limit.counter())))
            .reduce(Headroom.NONE, Headroom::tighter)
            .map(headroom -> new Reservation(List.copyOf(taken), tokens, headroom))
            // a later limit refused: give back what the earlier ones took
            .onErrorResume(LimitExceeded.class, refused -> giveBack(taken, tokens).then(Mono.error(refused)));
    }

    /**
     * Takes a place among the key's requests under way (its own limit, else the default
     * for department keys); refused with 429 when all are taken.
     */
    Mono<Slot> enter(ApiKeyView key) {
        Integer limit = key.maxConcurrent() != null ? key.maxConcurrent()
                : key.departmentId() == null ? null : limits.defaultKeyConcurrency();
        if (limit == null) {
            return Mono.just(Slot.NONE);
        }
        String counter = "concurrent:key:" + key.id();
        return Mono.defer(() -> store.tryAcquire(counter, 1, limit, UNDER_WAY))
            .flatMap(value -> value < 0
                    ? Mono.error(new LimitExceeded("Over the requests at once of this key (" + limit + ")", 1))
                    : Mono.just(new Slot(counter)));
    }

    /** Gives the place back when the request is over. */
    Mono<Void> leave(Slot slot) {
        return slot.counter().isEmpty() ? Mono.empty() : store.adjust(slot.counter(), -1, UNDER_WAY);
    }

    /** Replaces the reservation by what the request actually used. */
    Mono<Void> settle(Reservation reservation, long actualTokens) {
        long delta = actualTokens - reservation.tokens();
        if (delta == 0 || reservation.tokenCounters().isEmpty()) {
            return Mono.empty();
        }
        return Flux.fromIterable(reservation.tokenCounters())
            .concatMap(counter -> store.adjust(counter, delta, WINDOW))
            .then();
    }

    private Mono<Void> giveBack(List<String> counters, long tokens) {
        return Flux.fromIterable(counters).concatMap(counter -> store.adjust(counter, -tokens, WINDOW)).then();
    }

    private Mono<Headroom> acquire(String counter, long amount, long limit, String description) {
        return Mono.defer(() -> store.tryAcquire(counter, amount, limit, WINDOW))
            .flatMap(value -> value < 0
                    ? Mono
                        .error(new LimitExceeded("Over the " + description + " (" + limit + ")", secondsToNextWindow()))
                    : Mono.just(new Headroom(limit, Math.max(0, limit - value), secondsToNextWindow())));
    }

    private long currentWindow() {
        return clock.instant().getEpochSecond() / WINDOW.toSeconds();
    }

    private long secondsToNextWindow() {
        Instant now = clock.instant();
        long windowSeconds = WINDOW.toSeconds();
        return Math.max(1, windowSeconds - now.getEpochSecond() % windowSeconds);
    }

    private record Limit(String counter, long limit, String description) {
    }

}
