package io.tokenfactory.support.deadletter;

import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

import io.tokenfactory.support.events.ConsumerRetry;
import io.tokenfactory.support.events.EventProducers;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.messaging.Message;

import tools.jackson.databind.json.JsonMapper;

/**
 * Wraps a consumer so that a poison message never stalls its queue: the message is tried
 * under {@link ConsumerRetry} (transient failures for as long as they last, a rejection
 * once, anything else a bounded number of times) and, if it fails for good, parked with
 * its reason ({@link DeadLetterParking}); then the consumer returns and the binder
 * acknowledges it, and the next message flows. Only an interrupt (shutdown) leaves the
 * message unacknowledged. A replay meant for another consumer group passes by. An event
 * whose publisher is not the service that owns its destination ({@link EventProducers})
 * is parked at once, untried.
 *
 * <pre>
 * &#64;Bean
 * Consumer&lt;Message&lt;UsageMetered&gt;&gt; usageMetered(UsageCharging charging, PoisonMessages poison) {
 *     return poison.guard("usageMetered-in-0", message -&gt; charging.charge(...));
 * }
 * </pre>
 */
public class PoisonMessages {

    private static final Logger log = LoggerFactory.getLogger(PoisonMessages.class);

    private final ConsumerRetry retry;

    private final DeadLetterParking parking;

    private final JsonMapper json;

    private final EventProducers producers;

    public PoisonMessages(ConsumerRetry retry, DeadLetterParking parking, JsonMapper json, EventProducers producers) {
        this.retry = retry;
        this.parking = parking;
        this.json = json;
        this.producers = producers;
    }

    /**
     * @param binding the consumer binding the handler is bound to, e.g.
     * {@code usageMetered-in-0}
     */
    public <T> Consumer<Message<T>> guard(String binding, Consumer<Message<T>> handler) {
        return message -> {
            if (DeadLetterHeaders.replayForAnotherGroup(message.getHeaders(), parking.group(binding))) {
                log.debug("Passing by a replay on {} meant for another group", binding);
                return;
            }
            String forged = producers.refusal(parking.destination(binding), message.getHeaders());
            if (forged != null) {
                parking.park(binding, message.getHeaders(), body(message.getPayload()), EventProducers.FOREIGN_PRODUCER,
                        forged, 1);
                return;
            }
            ConsumerRetry.Failure failure = retry.run(() -> handler.accept(message));
            if (failure != null) {
                parking.park(binding, message.getHeaders(), body(message.getPayload()), failure);
            }
        };
    }

    /**
     * The body as it came (an unreadable one arrives unconverted, as bytes), or the
     * converted record written as JSON again.
     */
    private byte[] body(Object payload) {
        if (payload instanceof byte[] raw) {
            return raw;
        }
        if (payload instanceof String text) {
            return text.getBytes(StandardCharsets.UTF_8);
        }
        return json.writeValueAsBytes(payload);
    }

}
