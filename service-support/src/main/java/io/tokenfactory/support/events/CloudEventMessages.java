package io.tokenfactory.support.events;

import io.tokenfactory.contracts.CloudEventAttributes;
import io.tokenfactory.contracts.TokenFactoryEvent;

import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.util.MimeTypeUtils;

/**
 * Wraps an event record in a message whose headers carry its CloudEvents attributes
 * (binary content mode).
 */
public final class CloudEventMessages {

    private CloudEventMessages() {
    }

    /**
     * @param source the CloudEvents {@code source}: which service produced the event,
     * e.g. {@code urn:tokenfactory:inference-service}
     */
    public static <T extends TokenFactoryEvent> MessageBuilder<T> builder(T event, String source) {
        MessageBuilder<T> message = MessageBuilder.withPayload(event);
        if (event.traceparent() != null) {
            message.setHeader(CloudEventAttributes.TRACEPARENT, event.traceparent());
        }
        return message.setHeader(CloudEventAttributes.SPEC_VERSION, CloudEventAttributes.SPEC_VERSION_VALUE)
            .setHeader(CloudEventAttributes.ID, event.eventId().toString())
            .setHeader(CloudEventAttributes.SOURCE, source)
            .setHeader(CloudEventAttributes.TYPE, event.type())
            .setHeader(CloudEventAttributes.TIME, event.occurredAt().toString())
            .setHeader(CloudEventAttributes.SUBJECT, event.subject())
            .setHeader(MessageHeaders.CONTENT_TYPE, MimeTypeUtils.APPLICATION_JSON_VALUE);
    }

    public static <T extends TokenFactoryEvent> Message<T> toMessage(T event, String source) {
        return builder(event, source).build();
    }

    /**
     * The binding (and exchange) an event type travels on:
     * {@code tokenfactory.usage-recorded.v1} → {@code usage-recorded}.
     */
    public static String bindingFor(String type) {
        String withoutPrefix = type.substring(type.indexOf('.') + 1);
        return withoutPrefix.substring(0, withoutPrefix.lastIndexOf('.'));
    }

}
