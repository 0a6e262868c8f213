package io.tokenfactory.system.soak;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;

import kafka.server.BrokerServer;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * The soak on Kafka: a single KRaft broker started in the test JVM for this soak alone
 * (the other Kafka tests' broker carries their services' topics and consumer groups,
 * which the soak's processes must not join), listening on a port the service processes
 * reach. Its broker fault is a restart in place (the broker shuts down and starts again
 * on the same port and logs); Kafka cannot close its clients' connections on demand.
 */
final class KafkaBroker implements Broker {

    private EmbeddedKafkaKraftBroker broker;

    private KafkaProducer<byte[], byte[]> producer;

    @Override
    public String description() {
        return "Kafka (a KRaft broker in the test JVM" + (broker == null ? "" : ", " + broker.getBrokersAsString())
                + ")";
    }

    @Override
    public void open() {
        broker = new EmbeddedKafkaKraftBroker(1, 2);
        // as the Kafka tests' broker: consumer groups start at once; topics are the
        // services' to create
        broker.brokerProperties(Map.of("group.initial.rebalance.delay.ms", "0", "auto.create.topics.enable", "false"));
        broker.afterPropertiesSet();
    }

    @Override
    public void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
        if (broker != null) {
            broker.destroy();
        }
    }

    @Override
    public Map<String, String> serviceEnvironment() {
        // two partitions per topic, as the Kafka tests: keys decide where an event goes
        return Map.of("TF_EVENT_BROKER", "kafka", "TF_KAFKA_BOOTSTRAP_SERVERS", broker.getBrokersAsString(),
                "TF_KAFKA_PARTITIONS", "2", "TF_KAFKA_REPLICATION_FACTOR", "1");
    }

    @Override
    public List<String> serviceArguments() {
        return List.of();
    }

    /**
     * Records keyed by their subject's bytes (as the services' producers key them), the
     * CloudEvents attributes as raw headers, each acknowledged by the broker.
     */
    @Override
    public void publish(String destination, List<OutsideEvent> events) {
        if (producer == null) {
            Properties properties = client();
            properties.put(ProducerConfig.ACKS_CONFIG, "all");
            producer = new KafkaProducer<>(properties, new ByteArraySerializer(), new ByteArraySerializer());
        }
        try {
            for (OutsideEvent event : events) {
                ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(destination,
                        event.subject().getBytes(StandardCharsets.UTF_8),
                        event.body().getBytes(StandardCharsets.UTF_8));
                event.headers().forEach((name, value) -> record.headers().add(name, bytes(value)));
                producer.send(record).get();
            }
        }
        catch (ExecutionException e) {
            throw new IllegalStateException("could not publish to " + destination + ": " + e.getMessage(), e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Optional<String> cannotInject(Fault fault) {
        return fault == Fault.DROP_BROKER_CONNECTIONS
                ? Optional.of("a Kafka broker cannot close its clients' connections on demand") : Optional.empty();
    }

    @Override
    public String dropConnections() {
        throw new UnsupportedOperationException(cannotInject(Fault.DROP_BROKER_CONNECTIONS).orElseThrow());
    }

    /**
     * Shuts the broker down (every client is cut off, as by RabbitMQ's stop_app) and
     * starts it again on the same port with the same logs.
     */
    @Override
    public String restart() {
        long started = System.nanoTime();
        try {
            for (BrokerServer server : broker.getCluster().brokers().values()) {
                server.shutdown();
                server.startup();
            }
            broker.getCluster().waitForReadyBrokers();
        }
        catch (ExecutionException e) {
            throw new IllegalStateException("the KRaft broker did not start again: " + e.getMessage(), e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return "the KRaft broker shut down and started again, ready after "
                + FaultInjector.seconds(Duration.ofNanos(System.nanoTime() - started));
    }

    private Properties client() {
        Properties properties = new Properties();
        properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString());
        return properties;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

}
