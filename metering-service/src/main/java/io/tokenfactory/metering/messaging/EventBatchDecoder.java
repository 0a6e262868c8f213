package io.tokenfactory.metering.messaging;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import io.tokenfactory.support.deadletter.DeadLetterHeaders;
import io.tokenfactory.support.events.EventProducers;
import io.tokenfactory.support.events.RejectedEventException;

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

    private final JsonMapper json;

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
            String type = DeadLetterHeaders.cloudEvent(deliveryHeaders, "type");
            if (!expectedType.equals(type)) {
                rejected.add(rejection(body, deliveryHeaders,
                        "event type " + type + " is not " + expectedType + " (unknown type or version)"));
                continue;
            }
            T event;
            try {
                event = json.readValue(body, recordType);
            }
            catch (JacksonException | IllegalArgumentException unreadable) {
                rejected.add(rejection(body, deliveryHeaders, "payload is not a readable " + expectedType + " record: "
                        + firstLine(unreadable.getMessage())));
                continue;
            }
            if (event == null) {
                rejected.add(rejection(body, deliveryHeaders, "payload is empty"));
                continue;
            }
            Optional<String> problem = validation.apply(event);
            if (problem.isPresent()) {
                rejected.add(rejection(body, deliveryHeaders, problem.get()));
            }
            else {
                accepted.add(new DecodedBatch.Accepted<>(event, body, deliveryHeaders));
            }
        }
        return new DecodedBatch<>(accepted, rejected);
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
