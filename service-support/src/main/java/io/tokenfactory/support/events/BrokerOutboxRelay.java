package io.tokenfactory.support.events;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.tokenfactory.contracts.CloudEventAttributes;
import io.tokenfactory.contracts.TokenFactoryEvent;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.scheduling.annotation.Async;
import org.springframework.transaction.event.TransactionalEventListener;

import tools.jackson.databind.json.JsonMapper;

/**
 * The sending half of the outbox. A service publishes a {@link TokenFactoryEvent} with
 * Spring's {@code ApplicationEventPublisher} inside its business transaction; Spring
 * Modulith's event publication registry stores it in the same transaction. After commit
 * this listener sends it to the broker and waits until the broker has it — RabbitMQ's
 * publisher confirm, or Kafka's acknowledgement of a synchronous send (acks=all) — only
 * then is the publication marked complete. A failed or unconfirmed send leaves it
 * incomplete, and {@link OutboxResubmission} sends it again later (consumers deduplicate
 * on the event id). Events of the types named in {@link OutboxSettings#batchedTypes()}
 * that are ready at the same moment travel together in one {@link CloudEventBatches}
 * message ({@link OutboxBatcher}); each is still completed only once the message that
 * carried it is confirmed.
 */
public class BrokerOutboxRelay {

    private static final Logger log = LoggerFactory.getLogger(BrokerOutboxRelay.class);

    private final ConfirmedSend sender;

    private final String source;

    private final EventBackbone backbone;

    private final Set<String> batchedTypes;

    private final int maxBatchEvents;

    private final JsonMapper json;

    private final Map<String, OutboxBatcher> batchers = new ConcurrentHashMap<>();

    private final MeterRegistry meters;

    public BrokerOutboxRelay(StreamBridge streamBridge, String source, OutboxSettings settings, EventBackbone backbone,
            String brokerUser, JsonMapper json, MeterRegistry meters) {
        this.sender = new ConfirmedSend(streamBridge, settings.confirmTimeout(), backbone, brokerUser);
        this.backbone = backbone;
        this.source = source;
        this.batchedTypes = Set.copyOf(settings.batchedTypes());
        this.maxBatchEvents = settings.maxBatchEvents();
        this.json = json;
        this.meters = meters;
    }

    @Async
    @TransactionalEventListener
    public void relay(TokenFactoryEvent event) {
        send(event);
    }

    void send(TokenFactoryEvent event) {
        try {
            if (batchedTypes.contains(event.type())) {
                // on Kafka a message's key, its subject (the department), picks its
                // partition and so keeps that department's events in order: a batch
                // there holds one subject
                String batch = backbone == EventBackbone.KAFKA ? event.type() + " " + event.subject() : event.type();
                batchers.computeIfAbsent(batch, key -> new OutboxBatcher(maxBatchEvents, sendTogether(event.type())))
                    .publish(event);
            }
            else {
                sendOne(event);
            }
        }
        catch (ConfirmedSend.NotConfirmedException notConfirmed) {
            throw new EventNotPublishedException(event, notConfirmed.getMessage());
        }
    }

    /**
     * Sends events of one type; one goes as it would alone, so light load changes
     * nothing.
     */
    private Consumer<List<TokenFactoryEvent>> sendTogether(String type) {
        DistributionSummary eventsPerMessage = DistributionSummary.builder("tokenfactory.outbox.events.per.message")
            .tag("type", type)
            .description("events the outbox relay sent in one message (more than one: a CloudEvents batch)")
            .register(meters);
        return events -> {
            sendTogether(events);
            eventsPerMessage.record(events.size());
        };
    }

    private void sendTogether(List<TokenFactoryEvent> events) {
        if (events.size() == 1) {
            sendOne(events.get(0));
            return;
        }
        String binding = CloudEventMessages.bindingFor(events.get(0).type());
        MessageBuilder<byte[]> message = CloudEventBatches.message(events, source, json);
        String subject = events.get(0).subject();
        if (events.stream().allMatch(event -> Objects.equals(event.subject(), subject))) {
            message.setHeader(CloudEventAttributes.SUBJECT, subject);
        }
        sender.send(binding, message, events.get(0).eventId() + "+" + (events.size() - 1));
        log.debug("Published {} {} events to {} in one message", events.size(), events.get(0).type(), binding);
    }

    private void sendOne(TokenFactoryEvent event) {
        String binding = CloudEventMessages.bindingFor(event.type());
        sender.send(binding, CloudEventMessages.builder(event, source), event.eventId().toString());
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
