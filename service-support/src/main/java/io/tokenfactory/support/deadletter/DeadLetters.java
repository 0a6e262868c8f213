package io.tokenfactory.support.deadletter;

import java.time.Clock;
import java.util.Base64;
import java.util.Locale;
import java.util.UUID;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

import io.tokenfactory.support.events.ConfirmedSend;
import io.tokenfactory.support.problem.ApiProblemException;
import io.tokenfactory.support.problem.QueryParameters;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.transaction.support.TransactionOperations;
import org.springframework.util.MimeTypeUtils;

/**
 * What an administrator does with a service's dead letters: list, inspect, replay,
 * discard. A replay sends the message as it was parked back to its destination — the
 * exchange or topic it came from — marked for the group that parked it (every other group
 * passes it by) and waits for the broker's confirm; the consumer deduplicates on the
 * event id as for any redelivery, so replaying twice changes nothing the first replay did
 * not. It holds the dead letter's row while it sends, so a replay that fails again and is
 * parked again is recorded after the replay, waiting again.
 */
public class DeadLetters {

    private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);

    private static final int DEFAULT_LIMIT = 100;

    private static final int MAX_LIMIT = 1_000;

    private static final int MAX_DISCARD_REASON = 500;

    private final DeadLetterStore store;

    private final DeadLetterGauge gauge;

    private final ConfirmedSend sender;

    private final TransactionOperations transactions;

    private final String service;

    private final Clock clock;

    public DeadLetters(DeadLetterStore store, DeadLetterGauge gauge, ConfirmedSend sender,
            TransactionOperations transactions, String service, Clock clock) {
        this.store = store;
        this.gauge = gauge;
        this.sender = sender;
        this.transactions = transactions;
        this.service = service;
        this.clock = clock;
    }

    /**
     * @param status {@code waiting} (the default), {@code replayed}, {@code discarded} or
     * {@code all}
     * @param limit at most this many, newest failure first (default 100, at most 1000)
     */
    public DeadLetterList list(@Nullable String status, @Nullable String limit) {
        DeadLetter.Status wanted = status(status);
        int rows = limit(limit);
        return new DeadLetterList(service, gauge.refresh(), store.list(wanted, rows));
    }

    public DeadLetterDetail get(String id) {
        DeadLetterStore.Stored stored = find(QueryParameters.uuid("id", id), false);
        return detail(stored);
    }

    /**
     * Sends the dead letter back to its destination for its group and marks it replayed.
     * A discarded one is refused (409); one replayed before is sent again.
     */
    public DeadLetter replay(String id) {
        UUID key = QueryParameters.uuid("id", id);
        DeadLetter replayed = transactions.execute(transaction -> {
            DeadLetterStore.Stored stored = find(key, true);
            DeadLetter letter = stored.deadLetter();
            if (letter.status() == DeadLetter.Status.DISCARDED) {
                throw ApiProblemException.conflict("dead_letter_discarded", "Dead letter " + key + " was discarded ("
                        + letter.discardReason() + "); a discarded dead letter is not replayed");
            }
            MessageBuilder<byte[]> message = MessageBuilder.withPayload(stored.body());
            stored.headers().forEach((name, value) -> {
                if (!DeadLetterHeaders.NOT_REPLAYED.contains(name)) {
                    message.setHeader(name, value);
                }
            });
            if (!message.build().getHeaders().containsKey("contentType")) {
                message.setHeader("contentType", MimeTypeUtils.APPLICATION_JSON_VALUE);
            }
            message.setHeader(DeadLetterHeaders.REPLAY_FOR, letter.group())
                .setHeader(DeadLetterHeaders.REPLAY_OF, key.toString());
            try {
                sender.send(letter.destination(), message, "replay-" + key);
            }
            catch (ConfirmedSend.NotConfirmedException notSent) {
                throw new ApiProblemException(HttpStatus.SERVICE_UNAVAILABLE, "broker_unavailable",
                        "Broker unavailable", "Dead letter " + key + " was not replayed: " + notSent.getMessage());
            }
            store.markReplayed(key, clock.instant());
            return find(key, false).deadLetter();
        });
        log.info("Replayed dead letter {} ({} {}) to {} for {}", key, replayed.eventType(), replayed.eventId(),
                replayed.destination(), replayed.group());
        gauge.refresh();
        return replayed;
    }

    /**
     * Sets a waiting dead letter aside for good, with the administrator's reason; it
     * stays in the table for the record.
     */
    public DeadLetter discard(String id, @Nullable String reason) {
        UUID key = QueryParameters.uuid("id", id);
        if (reason == null || reason.isBlank() || reason.length() > MAX_DISCARD_REASON) {
            throw QueryParameters.invalid(
                    "reason must say why the dead letter is discarded (at most " + MAX_DISCARD_REASON + " characters)");
        }
        DeadLetter discarded = transactions.execute(transaction -> {
            DeadLetter letter = find(key, true).deadLetter();
            if (letter.status() != DeadLetter.Status.WAITING) {
                throw ApiProblemException.conflict("dead_letter_not_waiting", "Dead letter " + key + " is "
                        + letter.status().name().toLowerCase(Locale.ROOT) + "; only a waiting one is discarded");
            }
            store.markDiscarded(key, reason.strip(), clock.instant());
            return find(key, false).deadLetter();
        });
        log.info("Discarded dead letter {} ({} {}): {}", key, discarded.eventType(), discarded.eventId(),
                discarded.discardReason());
        gauge.refresh();
        return discarded;
    }

    private DeadLetterStore.Stored find(UUID id, boolean forUpdate) {
        return store.find(id, forUpdate)
            .orElseThrow(() -> ApiProblemException.notFound("dead_letter_not_found",
                    "No dead letter " + id + " in " + service));
    }

    private static DeadLetterDetail detail(DeadLetterStore.Stored stored) {
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(stored.body()))
                .toString();
            return new DeadLetterDetail(stored.deadLetter(), stored.headers(), text, "utf-8");
        }
        catch (CharacterCodingException notText) {
            return new DeadLetterDetail(stored.deadLetter(), stored.headers(),
                    Base64.getEncoder().encodeToString(stored.body()), "base64");
        }
    }

    private static DeadLetter.@Nullable Status status(@Nullable String status) {
        if (status == null || status.isBlank()) {
            return DeadLetter.Status.WAITING;
        }
        if (status.equalsIgnoreCase("all")) {
            return null;
        }
        try {
            return DeadLetter.Status.valueOf(status.strip().toUpperCase(Locale.ROOT));
        }
        catch (IllegalArgumentException e) {
            throw QueryParameters.invalid("status must be waiting, replayed, discarded or all");
        }
    }

    private static int limit(@Nullable String limit) {
        if (limit == null || limit.isBlank()) {
            return DEFAULT_LIMIT;
        }
        try {
            int rows = Integer.parseInt(limit.strip());
            if (rows >= 1 && rows <= MAX_LIMIT) {
                return rows;
            }
        }
        catch (NumberFormatException e) {
            // answered below
        }
        throw QueryParameters.invalid("limit must be a whole number from 1 to " + MAX_LIMIT);
    }

}
