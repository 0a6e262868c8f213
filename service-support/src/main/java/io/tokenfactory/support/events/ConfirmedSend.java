package io.tokenfactory.support.events;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.support.AmqpHeaders;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.util.MimeType;
import org.springframework.util.MimeTypeUtils;

/**
 * Hands a message to the broker through {@link StreamBridge} and returns only once the
 * broker has it: RabbitMQ's publisher confirm (a nack, a return as unroutable or no
 * confirm in time throws), or on Kafka the synchronous send (acks=all) that throws when
 * the broker does not acknowledge it. Used by the outbox relay. On RabbitMQ every message
 * carries the publishing service's broker user as its {@code user-id} property, which the
 * broker verifies against the connection, so consumers know who sent it
 * ({@link EventProducers}).
 */
public class ConfirmedSend {

    private final StreamBridge streamBridge;

    private final Duration confirmTimeout;

    private final EventBackbone backbone;

    private final String brokerUser;

    /**
     * @param brokerUser the RabbitMQ user this service connects as
     */
    public ConfirmedSend(StreamBridge streamBridge, Duration confirmTimeout, EventBackbone backbone,
            String brokerUser) {
        this.streamBridge = streamBridge;
        this.confirmTimeout = confirmTimeout;
        this.backbone = backbone;
        this.brokerUser = brokerUser;
    }

    /**
     * @param binding an output binding, or a destination (a dynamic binding of that name)
     * @param correlationId names the message in RabbitMQ's confirm
     * @throws NotConfirmedException when the broker does not confirm that it has the
     * message
     */
    public void send(String binding, MessageBuilder<?> message, String correlationId) {
        if (backbone == EventBackbone.KAFKA) {
            // the binder's producers are synchronous (sync: true, acks=all): send returns
            // once the broker has it and throws when it does not acknowledge it within
            // the
            // producer's delivery timeout
            hand(binding, message);
            return;
        }
        CorrelationData confirmation = new CorrelationData(correlationId);
        hand(binding, message.setHeader(AmqpHeaders.PUBLISH_CONFIRM_CORRELATION, confirmation)
            .setHeader(AmqpHeaders.USER_ID, brokerUser));
        try {
            CorrelationData.Confirm confirm = confirmation.getFuture()
                .get(confirmTimeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!confirm.ack()) {
                throw new NotConfirmedException("the broker nacked it: " + confirm.reason());
            }
            if (confirmation.getReturned() != null) {
                throw new NotConfirmedException("the broker could not route it");
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NotConfirmedException("interrupted while waiting for the confirm");
        }
        catch (ExecutionException | TimeoutException e) {
            throw new NotConfirmedException("no confirm within " + confirmTimeout);
        }
    }

    private void hand(String binding, MessageBuilder<?> message) {
        boolean accepted;
        try {
            Message<?> built = message.build();
            // the binder would convert the payload to, and label it with, the binding's
            // content type (JSON) unless told the message's own
            Object contentType = built.getHeaders().get(MessageHeaders.CONTENT_TYPE);
            accepted = contentType == null || MimeTypeUtils.APPLICATION_JSON_VALUE.equals(contentType.toString())
                    ? streamBridge.send(binding, built)
                    : streamBridge.send(binding, built, MimeType.valueOf(contentType.toString()));
        }
        catch (RuntimeException brokerDown) {
            throw new NotConfirmedException("the broker did not take it (" + brokerDown.getMessage() + ")");
        }
        if (!accepted) {
            throw new NotConfirmedException("the binder refused the message");
        }
    }

    /** The broker did not confirm that it has the message. */
    public static class NotConfirmedException extends RuntimeException {

        NotConfirmedException(String reason) {
            super(reason);
        }

    }

}
