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
 * The sending half of the outbox. A service publishes a {@link TokenFactoryEvent} with
 * Spring's {@code ApplicationEventPublisher} inside its business transaction; Spring
 * Modulith's event publication registry stores it in the same transaction. After commit
 * this listener sends it to the broker and waits until the broker has it — RabbitMQ's
 * publisher confirm, or Kafka's acknowledgement of a synchronous send (acks=all) — only
 * then is the publication marked complete. A failed or unconfirmed send leaves it
 * incomplete, and {@link OutboxResubmission} sends it again later (consumers deduplicate
 * on the event id).
 */
public class BrokerOutboxRelay {

    private static final Logger log = LoggerFactory.getLogger(BrokerOutboxRelay.class);

    private final StreamBridge streamBridge;

    private final String source;

    private final Duration confirmTimeout;

    private final EventBackbone backbone;

    public BrokerOutboxRelay(StreamBridge streamBridge, String source, Duration confirmTimeout,
            EventBackbone backbone) {
        this.streamBridge = streamBridge;
        this.source = source;
        this.confirmTimeout = confirmTimeout;
        this.backbone = backbone;
    }

    @Async
    @TransactionalEventListener
    public void relay(TokenFactoryEvent event) {
        send(event);
    }

    void send(TokenFactoryEvent event) {
        String binding = CloudEventMessages.bindingFor(event.type());
        if (backbone == EventBackbone.KAFKA) {
            // the binder's producers are synchronous (sync: true, acks=all): send returns
            // once the broker has it
            // and throws when it does not acknowledge it within the producer's delivery
            // timeout
            hand(event, binding, CloudEventMessages.toMessage(event, source));
        }
        else {
            sendAndAwaitPublisherConfirm(event, binding);
        }
        log.debug("Published {} {} to {}", event.type(), event.eventId(), binding);
    }

    private void sendAndAwaitPublisherConfirm(TokenFactoryEvent event, String binding) {
        CorrelationData confirmation = new CorrelationData(event.eventId().toString());
        hand(event, binding,
                CloudEventMessages.builder(event, source)
                    .setHeader(AmqpHeaders.PUBLISH_CONFIRM_CORRELATION, confirmation)
                    .build());
        try {
            CorrelationData.Confirm confirm = confirmation.getFuture()
                .get(confirmTimeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!confirm.ack()) {
                throw new EventNotPublishedException(event, "the broker nacked it: " + confirm.reason());
            }
            if (confirmation.getReturned() != null) {
                throw new EventNotPublishedException(event, "the broker could not route it");
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EventNotPublishedException(event, "interrupted while waiting for the confirm");
        }
        catch (ExecutionException | TimeoutException e) {
            throw new EventNotPublishedException(event, "no confirm within " + confirmTimeout);
        }
    }

    private void hand(TokenFactoryEvent event, String binding, Message<TokenFactoryEvent> message) {
        boolean accepted;
        try {
            accepted = streamBridge.send(binding, message);
        }
        catch (RuntimeException brokerDown) {
            throw new EventNotPublishedException(event, "the broker did not take it (" + brokerDown.getMessage() + ")");
        }
        if (!accepted) {
            throw new EventNotPublishedException(event, "the binder refused the message");
        }
    }

    /**
     * The broker did not take the event; the publication stays incomplete and is sent
     * again later.
     */
    public static class EventNotPublishedException extends RuntimeException {

        EventNotPublishedException(TokenFactoryEvent event, String reason) {
            super("Event " + event.type() + " " + event.eventId() + " not published: " + reason);
        }

    }

}
