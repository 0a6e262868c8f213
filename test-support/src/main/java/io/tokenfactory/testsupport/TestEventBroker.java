package io.tokenfactory.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeoutException;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What a test does on the broker itself, whichever backbone the services run on: send a
 * raw message that no service would send (a broken body, an unknown type), and read what
 * a destination carries. (What a consumer parked as a dead letter is in its service's
 * database: {@link TestDeadLetters}.)
 */
public final class TestEventBroker {

    private TestEventBroker() {
    }

    /**
     * A message as it lies on the broker: its body, its headers as text, and on Kafka its
     * key and partition.
     */
    public record RawMessage(byte[] body, Map<String, String> headers, String key, int partition) {

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /**
     * Sends a message straight to a destination (a RabbitMQ exchange, a Kafka topic),
     * past every service.
     */
    public static void sendRaw(String destination, String body, Map<String, String> headers) {
        if (TestKafka.enabled()) {
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(kafkaClient(), new StringSerializer(),
                    new ByteArraySerializer())) {
                ProducerRecord<String, byte[]> record = new ProducerRecord<>(destination,
                        body.getBytes(StandardCharsets.UTF_8));
                headers.forEach((name, value) -> record.headers().add(name, value.getBytes(StandardCharsets.UTF_8)));
                producer.send(record).get();
            }
            catch (Exception e) {
                throw new IllegalStateException("could not send to Kafka topic " + destination, e);
            }
            return;
        }
        Map<String, Object> amqpHeaders = new HashMap<>(headers);
        AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder().contentType("application/json")
            .headers(amqpHeaders)
            .build();
        withChannel(channel -> {
            channel.basicPublish(TestInfrastructure.prefixed(destination), "raw", properties,
                    body.getBytes(StandardCharsets.UTF_8));
            return null;
        });
    }

    /**
     * Reads what a destination carries for a consumer group: RabbitMQ, the group's queue
     * (taking the messages away from that group's consumer, if one runs); Kafka, the
     * topic from its beginning.
     */
    public static MessageReader messages(String destination, String group) {
        return TestKafka.enabled() ? new KafkaTopicReader(destination, false)
                : new RabbitQueueReader(TestInfrastructure.prefixed(destination + "." + group));
    }

    /**
     * The records of a Kafka topic, from its beginning to now (the Kafka variant only).
     */
    public static List<RawMessage> kafkaRecords(String topic) {
        try (KafkaTopicReader reader = new KafkaTopicReader(topic, false)) {
            return reader.untilNow();
        }
    }

    /**
     * Whether a consumer group has committed every record of a Kafka topic published so
     * far, i.e. handled them all (the Kafka variant only: its partitions are not ordered
     * among themselves, so a later message is no proof).
     */
    public static boolean kafkaGroupCaughtUp(String topic, String group) {
        try (Admin admin = Admin.create(kafkaClient())) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata()
                .get();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            admin.describeTopics(List.of(topic))
                .allTopicNames()
                .get()
                .get(topic)
                .partitions()
                .forEach(
                        partition -> latest.put(new TopicPartition(topic, partition.partition()), OffsetSpec.latest()));
            ListOffsetsResult ends = admin.listOffsets(latest);
            for (TopicPartition partition : latest.keySet()) {
                OffsetAndMetadata done = committed.get(partition);
                if ((done == null ? 0 : done.offset()) < ends.partitionResult(partition).get().offset()) {
                    return false;
                }
            }
            return true;
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("could not read the offsets of " + group + " on " + topic, e);
        }
    }

    /** Messages one at a time. */
    public interface MessageReader extends AutoCloseable {

        /** The next message, or empty when none is there yet. */
        Optional<RawMessage> next();

        @Override
        void close();

    }

    private static Properties kafkaClient() {
        Properties properties = new Properties();
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers());
        return properties;
    }

    private static final class KafkaTopicReader implements MessageReader {

        private final String topic;

        private final KafkaConsumer<String, byte[]> consumer;

        private final Map<TopicPartition, Long> startAt = new HashMap<>();

        private final List<RawMessage> polled = new ArrayList<>();

        private boolean assigned;

        KafkaTopicReader(String topic, boolean fromNow) {
            this.topic = topic;
            Properties properties = kafkaClient();
            properties.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
            properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            this.consumer = new KafkaConsumer<>(properties, new StringDeserializer(), new ByteArrayDeserializer());
            if (fromNow) {
                // what is there already belongs to earlier tests; a topic that does not
                // exist yet starts at 0
                List<TopicPartition> partitions = partitions();
                consumer.endOffsets(partitions).forEach(startAt::put);
            }
        }

        private List<TopicPartition> partitions() {
            List<PartitionInfo> infos = consumer.listTopics(Duration.ofSeconds(10)).get(topic);
            return infos == null ? List.of()
                    : infos.stream().map(info -> new TopicPartition(topic, info.partition())).toList();
        }

        /**
         * Everything up to the end each partition has now: a poll may come back empty
         * before its fetch arrives.
         */
        List<RawMessage> untilNow() {
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions());
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            List<RawMessage> all = new ArrayList<>();
            do {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " up to " + ends + " within 30 s");
                }
                for (Optional<RawMessage> next = next(); next.isPresent(); next = next()) {
                    all.add(next.get());
                }
            }
            while (ends.entrySet()
                .stream()
                .anyMatch(end -> !assigned || consumer.position(end.getKey()) < end.getValue()));
            return all;
        }

        @Override
        public Optional<RawMessage> next() {
            if (polled.isEmpty()) {
                if (!assigned) {
                    List<TopicPartition> partitions = partitions();
                    if (partitions.isEmpty()) {
                        return Optional.empty();
                    }
                    consumer.assign(partitions);
                    for (TopicPartition partition : partitions) {
                        consumer.seek(partition, startAt.getOrDefault(partition, 0L));
                    }
                    assigned = true;
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    Map<String, String> headers = new HashMap<>();
                    for (Header header : record.headers()) {
                        headers.put(header.key(), text(header.value()));
                    }
                    polled.add(new RawMessage(record.value(), headers, record.key(), record.partition()));
                }
            }
            return polled.isEmpty() ? Optional.empty() : Optional.of(polled.remove(0));
        }

        private static String text(byte[] value) {
            if (value == null) {
                return null;
            }
            String text = new String(value, StandardCharsets.UTF_8);
            // Spring's header mapper writes string headers as JSON strings
            return text.length() >= 2 && text.startsWith("\"") && text.endsWith("\"")
                    ? text.substring(1, text.length() - 1) : text;
        }

        @Override
        public void close() {
            consumer.close();
        }

    }

    private static final class RabbitQueueReader implements MessageReader {

        private final String queue;

        // one connection for the reader's life: tests poll it many times a second
        private Connection connection;

        private Channel channel;

        RabbitQueueReader(String queue) {
            this.queue = queue;
        }

        @Override
        public Optional<RawMessage> next() {
            try {
                if (channel == null) {
                    connection = connect();
                    channel = connection.createChannel();
                }
                GetResponse response = channel.basicGet(queue, true);
                if (response == null) {
                    return Optional.empty();
                }
                Map<String, String> headers = new HashMap<>();
                Map<String, Object> amqpHeaders = response.getProps().getHeaders();
                if (amqpHeaders != null) {
                    amqpHeaders.forEach((name, value) -> headers.put(name, String.valueOf(value)));
                }
                return Optional.of(new RawMessage(response.getBody(), headers, null, -1));
            }
            catch (IOException e) {
                // a missing queue closes the channel: open a new one on the next call
                channel = null;
                close();
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() {
            if (connection != null) {
                try {
                    connection.close();
                }
                catch (IOException | RuntimeException ignored) {
                    // already closed by the broker
                }
                connection = null;
                channel = null;
            }
        }

    }

    private interface ChannelWork<T> {

        T on(Channel channel) throws IOException;

    }

    private static <T> T withChannel(ChannelWork<T> work) {
        try (Connection connection = connect(); Channel channel = connection.createChannel()) {
            return work.on(channel);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        catch (TimeoutException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Connection connect() throws IOException {
        Infrastructure infra = TestInfrastructure.get();
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost(infra.rabbitHost());
        factory.setPort(infra.rabbitPort());
        factory.setUsername(infra.rabbitUser());
        factory.setPassword(infra.rabbitPassword());
        try {
            return factory.newConnection();
        }
        catch (TimeoutException e) {
            throw new IOException("no connection to " + infra.description(), e);
        }
    }

}
