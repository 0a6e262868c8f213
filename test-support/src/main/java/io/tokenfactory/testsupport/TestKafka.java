package io.tokenfactory.testsupport;

import java.util.Map;

import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * The Kafka variant of the tests: with the system property
 * {@code tokenfactory.test.event-broker=kafka} (a Maven execution of its own sets it)
 * every service under test runs on Kafka instead of RabbitMQ — the services' own
 * configuration switch, {@code TF_EVENT_BROKER} — against a single KRaft broker started
 * once in the test JVM.
 */
public final class TestKafka {

    public static final String EVENT_BROKER_PROPERTY = "tokenfactory.test.event-broker";

    private static volatile EmbeddedKafkaBroker broker;

    private TestKafka() {
    }

    /** Whether this test JVM runs the services on Kafka. */
    public static boolean enabled() {
        return "kafka".equals(System.getProperty(EVENT_BROKER_PROPERTY, System.getenv("TF_TEST_EVENT_BROKER")));
    }

    /** The bootstrap servers of the JVM's broker, started on first use. */
    public static String bootstrapServers() {
        if (broker == null) {
            synchronized (TestKafka.class) {
                if (broker == null) {
                    EmbeddedKafkaBroker started = new EmbeddedKafkaKraftBroker(1, 2)
                        // a consumer group starts consuming at once, without waiting for
                        // more members
                        .brokerProperties(
                                Map.of("group.initial.rebalance.delay.ms", "0", "auto.create.topics.enable", "false"));
                    started.afterPropertiesSet();
                    TestInfrastructure.closeAtTheEnd(started::destroy);
                    broker = started;
                }
            }
        }
        return broker.getBrokersAsString();
    }

    /** What the services are given to run on this JVM's Kafka broker. */
    static Map<String, Object> serviceProperties() {
        return Map.of("spring.cloud.stream.default-binder", "kafka", "spring.cloud.stream.kafka.binder.brokers",
                bootstrapServers(),
                // more than one partition, so keys decide where an event goes, and few
                // enough to start quickly
                "spring.cloud.stream.kafka.binder.min-partition-count", 2,
                "spring.cloud.stream.kafka.binder.replication-factor", 1);
    }

}
