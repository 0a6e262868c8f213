package io.tokenfactory.metering.messaging;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tokenfactory.support.events.EventBackbone;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.cloud.stream.config.BindingServiceProperties;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.core.env.Environment;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.stereotype.Component;

/**
 * Parks deliveries that can never be ingested where the binder itself would park them —
 * RabbitMQ: the binding's dead-letter queue {@code <queue>.dlq}; Kafka: the topic
 * {@code error.<topic>.<group>} — with the reason in {@code x-exception-message}, and
 * counts them. Sending waits for the broker's confirm (RabbitMQ) or acknowledgement
 * (Kafka, a synchronous send): a failure throws, the batch is not acknowledged and comes
 * again, so a rejected delivery is parked before it is dropped.
 */
@Component
class DeadLetters {

    private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);

    private final ObjectProvider<RabbitTemplate> rabbit;

    private final StreamBridge streamBridge;

    private final EventBackbone backbone;

    private final BindingServiceProperties bindings;

    private final Environment environment;

    private final MeterRegistry meters;

    private final boolean enabled;

    DeadLetters(ObjectProvider<RabbitTemplate> rabbit, StreamBridge streamBridge, BindingServiceProperties bindings,
            Environment environment, MeterRegistry meters,
            @Value("${TF_RABBITMQ_DEAD_LETTERING:true}") boolean rabbitDeadLettering) {
        this.rabbit = rabbit;
        this.streamBridge = streamBridge;
        this.backbone = EventBackbone.of(environment);
        this.bindings = bindings;
        this.environment = environment;
        this.meters = meters;
        // RabbitMQ brokers without dead-lettering (the embedded one) log and count only;
        // Kafka always can
        this.enabled = backbone == EventBackbone.KAFKA || rabbitDeadLettering;
    }

    /**
     * @param binding the consumer binding the deliveries came from, e.g.
     * {@code usageRecorded-in-0}
     * @param eventType the event type the binding carries, a metric tag
     */
    public void park(String binding, String eventType, List<RejectedDelivery> rejected) {
        if (rejected.isEmpty()) {
            return;
        }
        String destination = backbone == EventBackbone.KAFKA ? deadLetterTopic(binding) : deadLetterQueue(binding);
        for (RejectedDelivery delivery : rejected) {
            log.warn("Dead-lettering a {} delivery ({}): {}", eventType, delivery.reason(), delivery.detail());
            if (enabled && backbone == EventBackbone.KAFKA) {
                sendToTopic(destination, delivery);
            }
            else if (enabled) {
                send(destination, delivery);
            }
            Counter.builder("tokenfactory.metering.events.dead.lettered")
                .description("deliveries that can never be ingested, parked in the dead-letter queue")
                .tag("type", eventType)
                .tag("reason", delivery.reason())
                .register(meters)
                .increment();
        }
    }

    private void sendToTopic(String topic, RejectedDelivery delivery) {
        MessageBuilder<byte[]> message = MessageBuilder.withPayload(delivery.body());
        for (Map.Entry<String, Object> header : delivery.headers().entrySet()) {
            Object value = header.getValue();
            if (!header.getKey().startsWith("kafka_") && !header.getKey().startsWith("amqp_")
                    && (value instanceof String || value instanceof Number || value instanceof Boolean
                            || value instanceof byte[])) {
                message.setHeader(header.getKey(), value);
            }
        }
        message.setHeader("x-exception-message", delivery.detail());
        message.setHeader("x-exception-reason", delivery.reason());
        // producers are synchronous on Kafka: a send the broker did not acknowledge
        // throws, and the batch comes again
        if (!streamBridge.send(topic, message.build())) {
            throw new IllegalStateException("the binder refused a dead letter for " + topic);
        }
    }

    private void send(String queue, RejectedDelivery delivery) {
        MessageProperties properties = new MessageProperties();
        for (Map.Entry<String, Object> header : delivery.headers().entrySet()) {
            Object value = header.getValue();
            if (!header.getKey().startsWith("amqp_")
                    && (value instanceof String || value instanceof Number || value instanceof Boolean)) {
                properties.setHeader(header.getKey(), value);
            }
        }
        Object contentType = delivery.headers().get("contentType");
        properties.setContentType(contentType == null ? MessageProperties.CONTENT_TYPE_JSON : contentType.toString());
        properties.setHeader("x-exception-message", delivery.detail());
        properties.setHeader("x-exception-reason", delivery.reason());
        CorrelationData confirmation = new CorrelationData();
        // the default exchange routes by queue name straight into the dead-letter queue
        rabbit.getObject().send("", queue, new Message(delivery.body(), properties), confirmation);
        try {
            CorrelationData.Confirm confirm = confirmation.getFuture().get(10, TimeUnit.SECONDS);
            if (!confirm.ack()) {
                throw new IllegalStateException("the broker refused a dead letter: " + confirm.reason());
            }
            if (confirmation.getReturned() != null) {
                // no such queue: acknowledging the delivery now would lose it
                throw new IllegalStateException("the dead-letter queue " + queue + " does not exist");
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while dead-lettering", e);
        }
        catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("no confirm for a dead letter", e);
        }
    }

    String deadLetterTopic(String binding) {
        // the Kafka binder's own naming: error.<destination>.<group>, unless the binding
        // names its DLQ itself
        String consumer = "spring.cloud.stream.kafka.bindings." + binding + ".consumer.";
        String topic = "error." + bindings.getBindingDestination(binding) + "." + bindings.getGroup(binding);
        return environment.getProperty(consumer + "dlq-name", environment.getProperty(consumer + "dlqName", topic));
    }

    String deadLetterQueue(String binding) {
        // the binder's own naming: <prefix><destination>.<group>.dlq, unless a binding
        // names its DLQ itself
        String consumer = "spring.cloud.stream.rabbit.bindings." + binding + ".consumer.";
        String prefix = environment.getProperty(consumer + "prefix",
                environment.getProperty("spring.cloud.stream.rabbit.default.consumer.prefix", ""));
        String queue = prefix + bindings.getBindingDestination(binding) + "." + bindings.getGroup(binding);
        // the property as written in YAML or as a camel-case system property /
        // environment entry
        return environment.getProperty(consumer + "dead-letter-queue-name",
                environment.getProperty(consumer + "deadLetterQueueName", queue + ".dlq"));
    }

}
