package io.tokenfactory.system.soak;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.tokenfactory.testsupport.Infrastructure;

/**
 * The soak's event broker, RabbitMQ or Kafka: what the services are given to reach it,
 * how a remote node sends to it, and the broker faults it can undergo here.
 */
sealed interface Broker extends AutoCloseable permits RabbitBroker, KafkaBroker {

    /**
     * @param kind {@code rabbit} (the tests' RabbitMQ) or {@code kafka} (a KRaft broker
     * started in this JVM for the soak alone)
     * @param name the soak run's name, for its virtual host or queue prefix
     */
    static Broker of(String kind, Infrastructure infrastructure, String name) {
        return switch (kind) {
            case "rabbit" -> new RabbitBroker(infrastructure, name);
            case "kafka" -> new KafkaBroker();
            default ->
                throw new IllegalArgumentException("tokenfactory.soak.broker must be rabbit or kafka, not " + kind);
        };
    }

    /** What the report calls it. */
    String description();

    /** Makes the broker ready for the services (before the first starts). */
    void open();

    /** Removes what {@link #open()} made, once the services have stopped. */
    @Override
    void close();

    /** Environment variables that put a service on this broker. */
    Map<String, String> serviceEnvironment();

    /** Command-line arguments that put a service on this broker. */
    List<String> serviceArguments();

    /**
     * Sends events as a producer outside the suite would: each to a destination (an
     * exchange, a topic), keyed by its CloudEvents subject, and confirmed by the broker.
     */
    void publish(String destination, List<OutsideEvent> events);

    /** Why this broker fault cannot be injected here; empty when it can. */
    Optional<String> cannotInject(Fault fault);

    /** Cuts every client connection of the services; says what happened. */
    String dropConnections();

    /** Stops the broker and starts it again; says what happened. */
    String restart();

    /**
     * An event with its CloudEvents headers (ce-type, ce-id, ce-subject, …) and JSON
     * body.
     */
    record OutsideEvent(String subject, Map<String, String> headers, String body) {
    }

}
