package io.tokenfactory.support.events;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.tokenfactory.contracts.TokenFactoryEvent;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.support.AmqpHeaders;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.messaging.Message;
import org.springframework.scheduling.annotation.Async;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * The sending half of the outbox. A service publishes a {@link TokenFactoryEvent} with Spring's
 * {@code ApplicationEventPublisher} inside its business transaction; Spring Modulith's event publication registry
 * stores it in the same transaction. After commit this listener sends it to the broker and waits for the broker's
 * publisher confirm: only then is the publication marked complete. A failed or unconfirmed send leaves it
 * incomplete, and {@link OutboxResubmission} sends it again later (consumers deduplicate on the event id).
 */
public class BrokerOutboxRelay {

    private static final Logger log = LoggerFactory.getLogger(BrokerOutboxRelay.class);

    private final StreamBridge streamBridge;
    private final String source;
    private final Duration confirmTimeout;

    public BrokerOutboxRelay(StreamBridge streamBridge, String source, Duration confirmTimeout) {
        this.streamBridge = streamBridge;
        this.source = source;
        this.confirmTimeout = confirmTimeout;
    }

    @Async
    @TransactionalEventListener
    public void relay(TokenFactoryEvent event) {
        send(event);
    }

    void send(TokenFactoryEvent event) {
        CorrelationData confirmation = new CorrelationData(event.eventId().toString());
        Message<TokenFactoryEvent> message = CloudEventMessages.builder(event, source)
                .setHeader(AmqpHeaders.PUBLISH_CONFIRM_CORRELATION, confirmation)
                .build();
        String binding = CloudEventMessages.bindingFor(event.type());
        boolean accepted;
        try {
            accepted = streamBridge.send(binding, message);
        } catch (RuntimeException brokerDown) {
            throw new EventNotPublishedException(event, "the broker is not reachable (" + brokerDown.getMessage() + ")");
        }
        if (!accepted) {
            throw new EventNotPublishedException(event, "the binder refused the message");
        }
        try {
            CorrelationData.Confirm confirm = confirmation.getFuture().get(confirmTimeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!confirm.ack()) {
                throw new EventNotPublishedException(event, "the broker nacked it: " + confirm.reason());
            }
            if (confirmation.getReturned() != null) {
                throw new EventNotPublishedException(event, "the broker could not route it");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EventNotPublishedException(event, "interrupted while waiting for the confirm");
        } catch (ExecutionException | TimeoutException e) {
            throw new EventNotPublishedException(event, "no confirm within " + confirmTimeout);
        }
        log.debug("Published {} {} to {}", event.type(), event.eventId(), binding);
    }

    /** The broker did not take the event; the publication stays incomplete and is sent again later. */
    public static class EventNotPublishedException extends RuntimeException {
        EventNotPublishedException(TokenFactoryEvent event, String reason) {
            super("Event " + event.type() + " " + event.eventId() + " not published: " + reason);
        }
    }
}
