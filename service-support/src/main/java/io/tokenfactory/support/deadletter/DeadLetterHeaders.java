package io.tokenfactory.support.deadletter;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.jspecify.annotations.Nullable;

/**
 * The headers a dead letter keeps and adds. It keeps what the message carried that a
 * reader or a replay needs (the CloudEvents attributes under whichever prefix the binder
 * used, the content type, any other plain header), never the binder's own bookkeeping; it
 * adds the reason as the brokers' own dead-letter queues do ({@code x-exception-fqcn},
 * {@code x-exception-message}). A replay carries {@code x-tokenfactory-replay-for}: the
 * one consumer group it is meant for, so on a broker that delivers it to every group of
 * the destination (a Kafka topic, a RabbitMQ exchange) every other group passes it by.
 */
public final class DeadLetterHeaders {

    /** The failure's exception class, as in the Kafka binder's dead letters. */
    public static final String EXCEPTION_CLASS = "x-exception-fqcn";

    /** The failure's message, as in both binders' dead letters. */
    public static final String EXCEPTION_MESSAGE = "x-exception-message";

    /** How often the consumer tried the message before it parked it. */
    public static final String TRIES = "x-tokenfactory-tries";

    /** On a replayed message: the consumer group it is replayed to. */
    public static final String REPLAY_FOR = "x-tokenfactory-replay-for";

    /** On a replayed message: the dead letter it came from. */
    public static final String REPLAY_OF = "x-tokenfactory-replay-of";

    /** Headers a replay never carries again: this store's own, and the binders'. */
    static final Set<String> NOT_REPLAYED = Set.of(EXCEPTION_CLASS, EXCEPTION_MESSAGE, TRIES, REPLAY_FOR, REPLAY_OF,
            "x-exception-stacktrace", "x-original-exchange", "x-original-routingKey", "x-original-topic",
            "x-original-partition", "x-original-offset", "x-original-timestamp", "x-original-timestamp-type",
            "x-exception-cause-fqcn");

    private static final List<String> PREFIXES = List.of("ce-", "ce_", "cloudEvents:", "cloudEvents_");

    /** The binders' bookkeeping, different on every delivery. */
    private static final List<String> BINDER_PREFIXES = List.of("amqp_", "kafka_", "spring_", "scst_", "x-death");

    private static final Set<String> BINDER_HEADERS = Set.of("id", "timestamp", "deliveryAttempt", "sourceData",
            "source-type", "target-protocol", "__TypeId__", "errorChannel", "replyChannel", "x-first-death-exchange",
            "x-first-death-queue", "x-first-death-reason", "x-last-death-exchange", "x-last-death-queue",
            "x-last-death-reason");

    private DeadLetterHeaders() {
    }

    /**
     * The headers worth keeping, as text: plain values only (text, numbers, flags, bytes
     * as UTF-8, a content type), never the binder's bookkeeping.
     */
    public static Map<String, String> kept(Map<String, ?> headers) {
        Map<String, String> kept = new TreeMap<>();
        headers.forEach((name, value) -> {
            if (value == null || BINDER_HEADERS.contains(name) || BINDER_PREFIXES.stream().anyMatch(name::startsWith)) {
                return;
            }
            String text = text(value);
            if (text != null) {
                kept.put(name, text);
            }
        });
        return kept;
    }

    /**
     * A CloudEvents attribute ({@code id}, {@code type}) under whichever prefix the
     * binder used: ce- (set by producers, AMQP), ce_ (Kafka), cloudEvents: or
     * cloudEvents_.
     */
    public static @Nullable String cloudEvent(Map<String, ?> headers, String attribute) {
        for (String prefix : PREFIXES) {
            String value = text(headers.get(prefix + attribute));
            if (value != null && !value.isBlank()) {
                return value;
            }
        }
        return null;
    }

    /**
     * Whether a delivery is a replay meant for another consumer group than this one.
     */
    public static boolean replayForAnotherGroup(Map<String, ?> headers, String group) {
        String target = text(headers.get(REPLAY_FOR));
        return target != null && !target.equals(group);
    }

    private static @Nullable String text(@Nullable Object value) {
        if (value instanceof byte[] raw) {
            // a Kafka header written outside Spring arrives as its raw bytes; Spring's
            // own are JSON strings
            String text = new String(raw, StandardCharsets.UTF_8);
            return text.length() >= 2 && text.startsWith("\"") && text.endsWith("\"")
                    ? text.substring(1, text.length() - 1) : text;
        }
        if (value instanceof CharSequence || value instanceof Number || value instanceof Boolean
                || value instanceof java.util.UUID || value instanceof org.springframework.util.MimeType) {
            return value.toString();
        }
        return null;
    }

}
