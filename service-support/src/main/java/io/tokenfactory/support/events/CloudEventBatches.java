package io.tokenfactory.support.events;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import io.tokenfactory.contracts.CloudEventAttributes;
import io.tokenfactory.contracts.TokenFactoryEvent;

import org.springframework.messaging.MessageHeaders;
import org.springframework.messaging.support.MessageBuilder;

import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.json.JsonMapper;

/**
 * Many events in one message: the CloudEvents JSON batch format ({@value #CONTENT_TYPE}),
 * an array of structured events, each with its own {@code id}, {@code type},
 * {@code source}, {@code time}, {@code subject}, optional {@code traceparent} and the
 * record as {@code data}. The outbox relay sends a type this way when it is configured to
 * ({@link OutboxSettings#batchedTypes()}); a consumer judges, deduplicates and
 * dead-letters each element on its own.
 */
public final class CloudEventBatches {

    /** The content type of a CloudEvents JSON batch. */
    public static final String CONTENT_TYPE = "application/cloudevents-batch+json";

    private CloudEventBatches() {
    }

    /** Whether a delivery's content type says it is a batch. */
    public static boolean isBatch(Object contentType) {
        // a Kafka header written outside Spring arrives as its raw bytes; Spring writes
        // its own as JSON strings
        String text = contentType instanceof byte[] raw ? new String(raw, StandardCharsets.UTF_8)
                : String.valueOf(contentType);
        return text.startsWith(CONTENT_TYPE) || text.startsWith("\"" + CONTENT_TYPE);
    }

    /**
     * @param source the CloudEvents {@code source} of every event in the batch
     */
    public static byte[] encode(List<? extends TokenFactoryEvent> events, String source, JsonMapper json) {
        // written in one pass, each record straight into the batch (no tree per event)
        ByteArrayOutputStream batch = new ByteArrayOutputStream(events.size() * 1024);
        try (JsonGenerator out = json.createGenerator(batch)) {
            out.writeStartArray();
            for (TokenFactoryEvent event : events) {
                out.writeStartObject();
                out.writeStringProperty(attribute(CloudEventAttributes.SPEC_VERSION),
                        CloudEventAttributes.SPEC_VERSION_VALUE);
                out.writeStringProperty(attribute(CloudEventAttributes.ID), event.eventId().toString());
                out.writeStringProperty(attribute(CloudEventAttributes.SOURCE), source);
                out.writeStringProperty(attribute(CloudEventAttributes.TYPE), event.type());
                out.writeStringProperty(attribute(CloudEventAttributes.TIME), event.occurredAt().toString());
                out.writeStringProperty(attribute(CloudEventAttributes.SUBJECT), event.subject());
                if (event.traceparent() != null) {
                    out.writeStringProperty(attribute(CloudEventAttributes.TRACEPARENT), event.traceparent());
                }
                out.writeStringProperty("datacontenttype", "application/json");
                out.writeName("data");
                out.writePOJO(event);
                out.writeEndObject();
            }
            out.writeEndArray();
        }
        return batch.toByteArray();
    }

    /** A message of the events, as the outbox relay sends it. */
    public static MessageBuilder<byte[]> message(List<? extends TokenFactoryEvent> events, String source,
            JsonMapper json) {
        return MessageBuilder.withPayload(encode(events, source, json))
            .setHeader(MessageHeaders.CONTENT_TYPE, CONTENT_TYPE);
    }

    /** {@code ce-id} → {@code id}: the attribute's name in a structured event. */
    public static String attribute(String header) {
        return header.substring("ce-".length());
    }

}
