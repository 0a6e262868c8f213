package io.tokenfactory.metering.messaging;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import io.tokenfactory.support.deadletter.DeadLetterHeaders;
import io.tokenfactory.support.events.CloudEventBatches;
import io.tokenfactory.support.events.EventProducers;
import io.tokenfactory.support.events.RejectedEventException;

import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;
import org.springframework.stereotype.Component;
import org.springframework.util.MimeTypeUtils;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns a batch of raw deliveries into events. Each delivery is judged on its own: one
 * unreadable or invalid message is set aside for the dead-letter queue, the rest of the
 * batch goes on. A delivery may itself be a CloudEvents batch
 * ({@link CloudEventBatches}): then each of its events is judged, written and
 * dead-lettered on its own, as if it had come alone. The payloads are taken as bytes (the
 * consumer declares {@code Message<Object>}: a typed {@code List<byte[]>} makes the
 * binder convert the batch into an empty list) so that conversion never fails a whole
 * batch.
 */
@Component
class EventBatchDecoder {

    /**
     * Where the binder puts each delivery's own headers in a consumer-side batch:
     * RabbitMQ's name, then Kafka's.
     */
    static final List<String> BATCHED_HEADERS = List.of("amqp_batchedHeaders", "kafka_batchConvertedHeaders");

    private final JsonMapper json;

    /**
     * Readers of a record that is a value inside a larger document, per record type: the
     * mapper's own check that nothing follows a value would refuse every element of a
     * batch.
     */
    private final Map<Class<?>, ObjectReader> embedded = new ConcurrentHashMap<>();

    private final EventProducers producers;

    EventBatchDecoder(JsonMapper json, EventProducers producers) {
        this.json = json;
        this.producers = producers;
    }

    /**
     * @param expectedType the CloudEvents type (with its version) this binding carries
     * @param validation what is wrong with a readable event, or empty when it may be
     * ingested
     * @param destination where the batch came from: only its owner may publish there
     * @param group the consumer group: a replay meant for another is passed by
     */
    public <T> DecodedBatch<T> decode(Message<?> batch, String expectedType, Class<T> recordType,
            Function<T, Optional<String>> validation, String destination, String group) {
        List<?> payloads = batch.getPayload() instanceof List<?> list ? list : List.of(batch.getPayload());
        List<Map<String, Object>> headers = headersPerDelivery(batch, payloads.size());
        List<DecodedBatch.Accepted<T>> accepted = new ArrayList<>(payloads.size());
        List<RejectedDelivery> rejected = new ArrayList<>();
        for (int i = 0; i < payloads.size(); i++) {
            byte[] body = bytes(payloads.get(i));
            Map<String, Object> deliveryHeaders = headers.get(i);
            if (DeadLetterHeaders.replayForAnotherGroup(deliveryHeaders, group)) {
                continue;
            }
            String forged = producers.refusal(destination, deliveryHeaders);
            if (forged != null) {
                rejected.add(new RejectedDelivery(body, deliveryHeaders, EventProducers.FOREIGN_PRODUCER, forged, 1));
                continue;
            }
            if (!CloudEventBatches.isBatch(deliveryHeaders.get(MessageHeaders.CONTENT_TYPE))) {
                judge(new Single(body, deliveryHeaders), expectedType, recordType, validation, accepted, rejected);
                continue;
            }
            List<Streamed<T>> streamed = streamed(body, deliveryHeaders, recordType);
            if (streamed != null) {
                for (Streamed<T> element : streamed) {
                    judge(element, expectedType, recordType, validation, accepted, rejected);
                }
                continue;
            }
            // something in it is not as the relay writes it: read it element by element
            JsonNode elements;
            try {
                elements = json.readTree(body);
            }
            catch (JacksonException unreadable) {
                rejected.add(rejection(body, deliveryHeaders,
                        "payload is not a readable CloudEvents batch: " + firstLine(unreadable.getMessage())));
                continue;
            }
            if (!elements.isArray()) {
                rejected.add(rejection(body, deliveryHeaders, "a CloudEvents batch must be a JSON array"));
                continue;
            }
            for (JsonNode element : elements) {
                if (!element.isObject() || !element.path("data").isObject()) {
                    rejected.add(rejection(json.writeValueAsBytes(element),
                            elementHeaders(deliveryHeaders, attributes(element)),
                            "a CloudEvents batch element must be an object with an object as its data"));
                    continue;
                }
                judge(new Element(attributes(element), deliveryHeaders, element.get("data")), expectedType, recordType,
                        validation, accepted, rejected);
            }
        }
        return new DecodedBatch<>(accepted, rejected);
    }

    /** One event: ingestible, or refused with its reason. */
    private <T> void judge(Delivery delivery, String expectedType, Class<T> recordType,
            Function<T, Optional<String>> validation, List<DecodedBatch.Accepted<T>> accepted,
            List<RejectedDelivery> rejected) {
        String type = delivery.type();
        if (!expectedType.equals(type)) {
            rejected.add(rejection(delivery.body(), delivery.headers(),
                    "event type " + type + " is not " + expectedType + " (unknown type or version)"));
            return;
        }
        T event;
        try {
            event = delivery.read(recordType);
        }
        catch (JacksonException | IllegalArgumentException unreadable) {
            rejected.add(rejection(delivery.body(), delivery.headers(),
                    "payload is not a readable " + expectedType + " record: " + firstLine(unreadable.getMessage())));
            return;
        }
        if (event == null) {
            rejected.add(rejection(delivery.body(), delivery.headers(), "payload is empty"));
            return;
        }
        Optional<String> problem = validation.apply(event);
        if (problem.isPresent()) {
            rejected.add(rejection(delivery.body(), delivery.headers(), problem.get()));
        }
        else {
            // the body and headers are only needed should writing it fail: an element's
            // are made then
            accepted.add(new DecodedBatch.Accepted<>(event, delivery::body, delivery::headers));
        }
    }

    /**
     * A batch read in one pass, each element's record straight from the bytes (most of
     * metering's CPU per event is JSON); null when anything in it is unreadable, so that
     * the batch is read again as a tree and each element judged on its own.
     */
    <T> List<Streamed<T>> streamed(byte[] body, Map<String, Object> deliveryHeaders, Class<T> recordType) {
        List<Streamed<T>> elements = new ArrayList<>();
        try (JsonParser parser = json.createParser(body)) {
            if (parser.nextToken() != JsonToken.START_ARRAY) {
                return null;
            }
            for (JsonToken token = parser.nextToken(); token != JsonToken.END_ARRAY; token = parser.nextToken()) {
                if (token != JsonToken.START_OBJECT) {
                    return null;
                }
                Map<String, String> attributes = new HashMap<>();
                T event = null;
                while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
                    String name = parser.currentName();
                    JsonToken value = parser.nextToken();
                    if (name.equals("data")) {
                        if (value != JsonToken.START_OBJECT) {
                            return null;
                        }
                        event = embedded
                            .computeIfAbsent(recordType,
                                    type -> json.readerFor(type)
                                        .without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS))
                            .readValue(parser);
                    }
                    else if (value.isScalarValue()) {
                        attributes.put(name, parser.getString());
                    }
                    else {
                        parser.skipChildren();
                    }
                }
                if (event == null) {
                    return null;
                }
                elements.add(new Streamed<>(attributes, deliveryHeaders, event));
            }
            return elements;
        }
        catch (JacksonException | IllegalArgumentException notAsWritten) {
            return null;
        }
    }

    /** One event as it arrived: a message of its own, or an element of a batch. */
    private interface Delivery {

        String type();

        <T> T read(Class<T> recordType);

        /** What a dead letter of it keeps as its body. */
        byte[] body();

        /** What a dead letter of it keeps as its headers. */
        Map<String, Object> headers();

    }

    private final class Single implements Delivery {

        private final byte[] body;

        private final Map<String, Object> headers;

        Single(byte[] body, Map<String, Object> headers) {
            this.body = body;
            this.headers = headers;
        }

        @Override
        public String type() {
            return DeadLetterHeaders.cloudEvent(headers, "type");
        }

        @Override
        public <T> T read(Class<T> recordType) {
            return json.readValue(body, recordType);
        }

        @Override
        public byte[] body() {
            return body;
        }

        @Override
        public Map<String, Object> headers() {
            return headers;
        }

    }

    /**
     * An element of a batch: its CloudEvents attributes, which say its type and make its
     * headers should it be parked.
     */
    private abstract static class InBatch implements Delivery {

        private final Map<String, String> attributes;

        private final Map<String, Object> deliveryHeaders;

        InBatch(Map<String, String> attributes, Map<String, Object> deliveryHeaders) {
            this.attributes = attributes;
            this.deliveryHeaders = deliveryHeaders;
        }

        @Override
        public String type() {
            return attributes.get("type");
        }

        @Override
        public Map<String, Object> headers() {
            return elementHeaders(deliveryHeaders, attributes);
        }

    }

    /**
     * An element read from the parsed tree (the batch was not as the relay writes it).
     */
    private final class Element extends InBatch {

        private final JsonNode data;

        Element(Map<String, String> attributes, Map<String, Object> deliveryHeaders, JsonNode data) {
            super(attributes, deliveryHeaders);
            this.data = data;
        }

        @Override
        public <T> T read(Class<T> recordType) {
            return json.treeToValue(data, recordType);
        }

        @Override
        public byte[] body() {
            return json.writeValueAsBytes(data);
        }

    }

    /**
     * An element read in one pass: its record, already read; should it be parked, its
     * body is the record written again.
     */
    final class Streamed<E> extends InBatch {

        private final E event;

        Streamed(Map<String, String> attributes, Map<String, Object> deliveryHeaders, E event) {
            super(attributes, deliveryHeaders);
            this.event = event;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T read(Class<T> recordType) {
            return (T) event;
        }

        @Override
        public byte[] body() {
            return json.writeValueAsBytes(event);
        }

    }

    /** An element's CloudEvents attributes: its values other than the data. */
    private static Map<String, String> attributes(JsonNode element) {
        Map<String, String> attributes = new HashMap<>();
        for (Map.Entry<String, JsonNode> attribute : element.properties()) {
            if (!attribute.getKey().equals("data") && attribute.getValue().isValueNode()) {
                attributes.put(attribute.getKey(), attribute.getValue().asString());
            }
        }
        return attributes;
    }

    /**
     * The headers an element of a batch would have had as a message of its own: the
     * delivery's (who sent it, where from), its CloudEvents attributes as {@code ce-}
     * headers and a JSON content type. An element set aside is parked with them, so that
     * a replay sends it as a single event.
     */
    private static Map<String, Object> elementHeaders(Map<String, Object> delivery, Map<String, String> attributes) {
        Map<String, Object> headers = new HashMap<>(delivery);
        headers.put(MessageHeaders.CONTENT_TYPE, MimeTypeUtils.APPLICATION_JSON_VALUE);
        attributes.forEach((name, value) -> {
            if (!name.equals("datacontenttype")) {
                headers.put("ce-" + name, value);
            }
        });
        return headers;
    }

    /** A delivery refused without being tried: it would fail on every try. */
    private static RejectedDelivery rejection(byte[] body, Map<String, Object> headers, String detail) {
        return new RejectedDelivery(body, headers, RejectedEventException.class.getName(), detail, 1);
    }

    /**
     * The binder puts each delivery's own headers in a list header; a batch of one may
     * come without it.
     */
    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> headersPerDelivery(Message<?> batch, int size) {
        for (String name : BATCHED_HEADERS) {
            if (batch.getHeaders().get(name) instanceof List<?> list && list.size() == size) {
                return (List<Map<String, Object>>) list;
            }
        }
        List<Map<String, Object>> same = new ArrayList<>(size);
        Map<String, Object> common = new HashMap<>(batch.getHeaders());
        for (int i = 0; i < size; i++) {
            same.add(common);
        }
        return same;
    }

    private static byte[] bytes(Object payload) {
        if (payload instanceof byte[] bytes) {
            return bytes;
        }
        return String.valueOf(payload).getBytes(StandardCharsets.UTF_8);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int end = message.indexOf('\n');
        return end < 0 ? message : message.substring(0, end);
    }

}
