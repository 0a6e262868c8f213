package io.tokenfactory.support.deadletter;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tokenfactory.support.events.ConsumerRetry;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.stream.config.BindingServiceProperties;

/**
 * Parks a message that a consumer gave up on in the service's {@code dead_letter} table,
 * with the reason, and counts it in
 * {@code tokenfactory.events.dead.lettered{service,destination,reason}} (reason: the
 * exception's simple class name). The same on every broker — RabbitMQ, Kafka and the
 * embedded AMQP broker, which has no dead-letter queues — so the admin API reads one
 * place. Parking waits out a database outage; the consumer acknowledges the message only
 * after it returned, so a message is parked before it is dropped.
 */
public class DeadLetterParking {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterParking.class);

    private static final int MAX_REASON = 8_000;

    private final DeadLetterStore store;

    private final DeadLetterGauge gauge;

    private final ConsumerRetry retry;

    private final BindingServiceProperties bindings;

    private final MeterRegistry meters;

    private final String service;

    private final Clock clock;

    public DeadLetterParking(DeadLetterStore store, DeadLetterGauge gauge, ConsumerRetry retry,
            BindingServiceProperties bindings, MeterRegistry meters, String service, Clock clock) {
        this.store = store;
        this.gauge = gauge;
        this.retry = retry;
        this.bindings = bindings;
        this.meters = meters;
        this.service = service;
        this.clock = clock;
    }

    /**
     * Parks a message that failed for good.
     * @param binding the consumer binding it came from, e.g. {@code usageMetered-in-0}
     */
    public UUID park(String binding, Map<String, ?> headers, byte[] body, ConsumerRetry.Failure failure) {
        return park(binding, headers, body, failure.reasonClass(), failure.reason(), failure.tries());
    }

    /**
     * Parks a message the consumer refused without trying it (a batch consumer's
     * unreadable or invalid delivery).
     * @param reasonClass the exception class, or another name for the kind of failure
     */
    public UUID park(String binding, Map<String, ?> headers, byte[] body, String reasonClass, String reason,
            int tries) {
        String destination = bindings.getBindingDestination(binding);
        String group = group(binding);
        String shortReason = reason.length() > MAX_REASON ? reason.substring(0, MAX_REASON) + "…" : reason;
        Map<String, String> kept = new HashMap<>(DeadLetterHeaders.kept(headers));
        kept.put(DeadLetterHeaders.EXCEPTION_CLASS, reasonClass);
        kept.put(DeadLetterHeaders.EXCEPTION_MESSAGE, shortReason);
        kept.put(DeadLetterHeaders.TRIES, Integer.toString(tries));
        String eventId = DeadLetterHeaders.cloudEvent(headers, "id");
        String eventType = DeadLetterHeaders.cloudEvent(headers, "type");
        String messageKey = eventId != null ? eventId : "sha256:" + sha256(body);
        UUID id = retry.untilDone(() -> store.park(destination, group, messageKey, eventId, eventType, kept, body,
                reasonClass, shortReason, tries, clock.instant()));
        log.warn("Parked a {} message from {} (group {}) as dead letter {} after {} {}: {}: {}",
                eventType == null ? "untyped" : eventType, destination, group, id, tries, tries == 1 ? "try" : "tries",
                reasonClass, shortReason);
        Counter.builder("tokenfactory.events.dead.lettered")
            .description("messages a consumer gave up on, parked as dead letters")
            .tag("service", service)
            .tag("destination", destination)
            .tag("reason", reasonClass.substring(reasonClass.lastIndexOf('.') + 1))
            .register(meters)
            .increment();
        gauge.refresh();
        return id;
    }

    /** The destination (exchange or topic) of a binding. */
    public String destination(String binding) {
        return bindings.getBindingDestination(binding);
    }

    /** The consumer group of a binding. */
    public String group(String binding) {
        String group = bindings.getGroup(binding);
        if (group == null || group.isBlank()) {
            throw new IllegalStateException(
                    "binding " + binding + " has no group: its dead letters could not be " + "replayed to it");
        }
        return group;
    }

    private static String sha256(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

}
