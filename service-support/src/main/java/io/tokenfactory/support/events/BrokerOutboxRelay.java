package io.tokenfactory.support.events;

import java.time.Duration;

import io.tokenfactory.contracts.TokenFactoryEvent;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.stream.function.StreamBridge;
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

    private final ConfirmedSend sender;

    private final String source;

    public BrokerOutboxRelay(StreamBridge streamBridge, String source, Duration confirmTimeout, EventBackbone backbone,
            String brokerUser) {
        this.sender = new ConfirmedSend(streamBridge, confirmTimeout, backbone, brokerUser);
        this.source = source;
    }

    @Async
    @TransactionalEventListener
    public void relay(TokenFactoryEvent event) {
        send(event);
    }

    void send(TokenFactoryEvent event) {
        String binding = CloudEventMessages.bindingFor(event.type());
        try {
            sender.send(binding, CloudEventMessages.builder(event, source), event.eventId().toString());
        }
        catch (ConfirmedSend.NotConfirmedException notConfirmed) {
            throw new EventNotPublishedException(event, notConfirmed.getMessage());
        }
        log.debug("Published {} {} to {}", event.type(), event.eventId(), binding);
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
