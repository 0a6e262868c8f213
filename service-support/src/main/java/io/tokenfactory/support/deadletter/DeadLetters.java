package io.tokenfactory.support.deadletter;

import java.time.Clock;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

import io.tokenfactory.support.audit.Actor;
import io.tokenfactory.support.audit.AuditTrail;
import io.tokenfactory.support.events.EventProducers;
import io.tokenfactory.support.problem.ApiProblemException;
import io.tokenfactory.support.problem.QueryParameters;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.messaging.Message;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.transaction.support.TransactionOperations;
import org.springframework.util.MimeTypeUtils;

/**
 * What an administrator does with a service's dead letters: list, inspect, replay,
 * discard. A replay hands the message as it was parked to the consumer function that
 * parked it, in this process — not through the broker, where this service may publish
 * only its own events; the consumer deduplicates on the event id as for any redelivery,
 * so replaying twice changes nothing the first replay did not. The replay is marked
 * before the consumer runs, so one that fails again and is parked again is recorded after
 * the replay, waiting again.
 */
public class DeadLetters {

    private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);

    private static final int DEFAULT_LIMIT = 100;

    private static final int MAX_LIMIT = 1_000;

    private static final int MAX_DISCARD_REASON = 500;

    private final DeadLetterStore store;

    private final DeadLetterGauge gauge;

    private static final String SUBJECT = "dead-letter";

    private final ConsumerFunctions consumers;

    private final AuditTrail audit;

    private final TransactionOperations transactions;

    private final String service;

    private final Clock clock;

    public DeadLetters(DeadLetterStore store, DeadLetterGauge gauge, ConsumerFunctions consumers, AuditTrail audit,
            TransactionOperations transactions, String service, Clock clock) {
        this.audit = audit;
        this.store = store;
        this.gauge = gauge;
        this.consumers = consumers;
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
     * Hands the dead letter to the consumer that parked it, in this process, and marks it
     * replayed. A discarded one is refused (409), so is one whose publisher was not its
     * destination's owner unless the administrator vouches for it (an event queued before
     * each service had its own broker user); one replayed before is handed over again. If
     * it fails again it is parked again, waiting, after this replay. Recorded in the
     * audit trail as the actor's.
     * @param trustPublisher the administrator vouches for the publisher of a dead letter
     * parked because its publisher was not the owner
     */
    public DeadLetter replay(String id, boolean trustPublisher, Actor actor) {
        UUID key = QueryParameters.uuid("id", id);
        DeadLetter parked = find(key, false).deadLetter();
        // before it is marked: a letter whose consumer no longer runs here stays waiting
        Function<Message<byte[]>, ?> consumer = consumers.consumer(parked.destination(), parked.group());
        Message<byte[]> handed = transactions.execute(transaction -> {
            DeadLetterStore.Stored stored = find(key, true);
            DeadLetter letter = stored.deadLetter();
            if (letter.status() == DeadLetter.Status.DISCARDED) {
                throw ApiProblemException.conflict("dead_letter_discarded", "Dead letter " + key + " was discarded ("
                        + letter.discardReason() + "); a discarded dead letter is not replayed");
            }
            if (EventProducers.FOREIGN_PRODUCER.equals(letter.reasonClass()) && !trustPublisher) {
                throw ApiProblemException.conflict("dead_letter_forged", "Dead letter " + key
                        + " was not published by the service that owns " + letter.destination() + " (" + letter.reason()
                        + "); discard it, or replay it with trustPublisher=true only if you know it is genuine");
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
            message.setHeader(DeadLetterHeaders.REPLAY_OF, key.toString());
            store.markReplayed(key, clock.instant());
            audit.record(actor, "dead-letter.replayed", SUBJECT, key, null, audited(letter, false),
                    audited(find(key, false).deadLetter(), trustPublisher));
            return message.build();
        });
        DeadLetter replayed = find(key, false).deadLetter();
        // after the mark is committed: a consumer that fails again parks it again,
        // waiting
        ConsumerFunctions.deliver(consumer, handed);
        log.info("Replayed dead letter {} ({} {}) from {} to its consumer in {}", key, replayed.eventType(),
                replayed.eventId(), replayed.destination(), replayed.group());
        gauge.refresh();
        return find(key, false).deadLetter();
    }

    /**
     * Sets a waiting dead letter aside for good, with the administrator's reason; it
     * stays in the table for the record.
     */
    public DeadLetter discard(String id, @Nullable String reason, Actor actor) {
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
            DeadLetter after = find(key, false).deadLetter();
            audit.record(actor, "dead-letter.discarded", SUBJECT, key, null, audited(letter, false),
                    audited(after, false));
            return after;
        });
        log.info("Discarded dead letter {} ({} {}): {}", key, discarded.eventType(), discarded.eventId(),
                discarded.discardReason());
        gauge.refresh();
        return discarded;
    }

    /**
     * A dead letter as the audit trail records it: where it came from, why, its state.
     */
    private Map<String, Object> audited(DeadLetter letter, boolean trustPublisher) {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("service", service);
        state.put("destination", letter.destination());
        state.put("group", letter.group());
        state.put("eventType", letter.eventType());
        state.put("eventId", letter.eventId());
        state.put("reasonClass", letter.reasonClass());
        state.put("status", letter.status());
        state.put("discardReason", letter.discardReason());
        if (trustPublisher) {
            state.put("trustPublisher", true);
        }
        return state;
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
