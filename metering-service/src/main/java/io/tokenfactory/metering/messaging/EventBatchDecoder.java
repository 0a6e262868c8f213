package io.tokenfactory.metering.messaging;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns a batch of raw deliveries into events. Each delivery is judged on its own: one
 * unreadable or invalid message is set aside for the dead-letter queue, the rest of the
 * batch goes on. The payloads are taken as bytes (the consumer declares
 * {@code Message<Object>}: a typed {@code List<byte[]>} makes the binder convert the
 * batch into an empty list) so that conversion never fails a whole batch.
 */
@Component
class EventBatchDecoder {

    /**
     * Where the binder puts each delivery's own headers in a consumer-side batch:
     * RabbitMQ's name, then Kafka's.
     */
    static final List<String> BATCHED_HEADERS = List.of("amqp_batchedHeaders", "kafka_batchConvertedHeaders");

    private static final List<String> TYPE_HEADERS = List.of("ce-type", "ce_type", "cloudEvents:type",
            "cloudEvents_type");

    private final JsonMapper json;

    EventBatchDecoder(JsonMapper json) {
        this.json = json;
    }

    /**
     * @param expectedType the CloudEvents type (with its version) this binding carries
     * @param validation what is wrong with a readable event, or empty when it may be
     * ingested
     */
    public <T> DecodedBatch<T> decode(Message<?> batch, String expectedType, Class<T> recordType,
            Function<T, Optional<String>> validation) {
        List<?> payloads = batch.getPayload() instanceof List<?> list ? list : List.of(batch.getPayload());
        List<Map<String, Object>> headers = headersPerDelivery(batch, payloads.size());
        List<T> accepted = new ArrayList<>(payloads.size());
        List<RejectedDelivery> rejected = new ArrayList<>();
        for (int i = 0; i < payloads.size(); i++) {
            byte[] body = bytes(payloads.get(i));
            Map<String, Object> deliveryHeaders = headers.get(i);
            String type = cloudEventType(deliveryHeaders);
            if (!expectedType.equals(type)) {
                rejected.add(new RejectedDelivery(body, deliveryHeaders, RejectedDelivery.UNKNOWN_TYPE,
                        "event type " + type + " is not " + expectedType + " (unknown type or version)"));
                continue;
            }
            T event;
            try {
                event = json.readValue(body, recordType);
            }
            catch (JacksonException | IllegalArgumentException unreadable) {
                rejected.add(new RejectedDelivery(body, deliveryHeaders, RejectedDelivery.UNREADABLE,
                        "payload is not a readable " + expectedType + " record: "
                                + firstLine(unreadable.getMessage())));
                continue;
            }
            if (event == null) {
                rejected
                    .add(new RejectedDelivery(body, deliveryHeaders, RejectedDelivery.UNREADABLE, "payload is empty"));
                continue;
            }
            Optional<String> problem = validation.apply(event);
            if (problem.isPresent()) {
                rejected.add(new RejectedDelivery(body, deliveryHeaders, RejectedDelivery.INVALID, problem.get()));
            }
            else {
                accepted.add(event);
            }
        }
        return new DecodedBatch<>(accepted, rejected);
    }

    /**
     * A decoded event that failed on its own when written, as a dead letter (its body
     * written out again).
     */
    public RejectedDelivery rejectedAfterDecoding(Object event, String detail) {
        return new RejectedDelivery(json.writeValueAsBytes(event), Map.of("contentType", "application/json"),
                RejectedDelivery.INVALID, detail);
    }

    /**
     * The CloudEvents type under whichever prefix the binder used: ce- (AMQP), ce_
     * (Kafka), cloudEvents: or cloudEvents_.
     */
    private static String cloudEventType(Map<String, Object> headers) {
        for (String name : TYPE_HEADERS) {
            Object type = headers.get(name);
            if (type instanceof byte[] raw) {
                // a Kafka header written by a producer outside Spring arrives as its raw
                // bytes
                return new String(raw, StandardCharsets.UTF_8);
            }
            if (type != null) {
                return type.toString();
            }
        }
        return null;
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
