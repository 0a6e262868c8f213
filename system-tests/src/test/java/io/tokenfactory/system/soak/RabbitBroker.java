package io.tokenfactory.system.soak;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;

import io.tokenfactory.testsupport.Infrastructure;

/**
 * The soak on the tests' RabbitMQ. On a local RabbitMQ that {@code rabbitmqctl} can
 * administer, a virtual host of its own (so dropping "its" connections touches nobody
 * else's) and the broker faults; elsewhere (the embedded broker, a remote one) a
 * queue-name prefix on the default virtual host, and no broker faults.
 */
final class RabbitBroker implements Broker {

    private final Infrastructure infrastructure;

    private final String virtualHost;

    private final boolean administrable;

    RabbitBroker(Infrastructure infrastructure, String virtualHost) {
        this.infrastructure = infrastructure;
        this.virtualHost = virtualHost;
        boolean local = List.of("localhost", "127.0.0.1", "::1").contains(infrastructure.rabbitHost());
        this.administrable = local && infrastructure.deadLettering() && rabbitmqctl("status").succeeded();
    }

    @Override
    public String description() {
        return administrable ? "RabbitMQ (virtual host " + virtualHost + ")"
                : "RabbitMQ (" + infrastructure.description() + ", queues prefixed " + virtualHost + ")";
    }

    @Override
    public void open() {
        if (administrable) {
            rabbitmqctl("add_vhost", virtualHost).orFail();
            rabbitmqctl("set_permissions", "-p", virtualHost, infrastructure.rabbitUser(), ".*", ".*", ".*").orFail();
        }
    }

    /** Deletes the virtual host, unless the soak's data is to be kept. */
    @Override
    public void close() {
        if (administrable && !Boolean.getBoolean("tokenfactory.soak.keep-data")) {
            rabbitmqctl("delete_vhost", virtualHost);
        }
    }

    @Override
    public Map<String, String> serviceEnvironment() {
        return Map.of("TF_EVENT_BROKER", "rabbit");
    }

    /** The soak's virtual host, or its prefix on the default one. */
    @Override
    public List<String> serviceArguments() {
        List<String> arguments = new ArrayList<>();
        if (administrable) {
            arguments.add("--spring.rabbitmq.virtual-host=" + virtualHost);
        }
        else {
            arguments.add("--spring.cloud.stream.rabbit.default.producer.prefix=" + virtualHost + ".");
            arguments.add("--spring.cloud.stream.rabbit.default.consumer.prefix=" + virtualHost + ".");
        }
        return arguments;
    }

    /**
     * Persistent messages to the exchange (prefixed where the services share "/"),
     * confirmed.
     */
    @Override
    public void publish(String destination, List<OutsideEvent> events) {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost(infrastructure.rabbitHost());
        factory.setPort(infrastructure.rabbitPort());
        factory.setUsername(infrastructure.rabbitUser());
        factory.setPassword(infrastructure.rabbitPassword());
        factory.setVirtualHost(administrable ? virtualHost : "/");
        String exchange = administrable ? destination : virtualHost + "." + destination;
        try (Connection connection = factory.newConnection("token factory soak: remote node");
                Channel channel = connection.createChannel()) {
            channel.confirmSelect();
            for (OutsideEvent event : events) {
                Map<String, Object> headers = new HashMap<>(event.headers());
                headers.put("contentType", "application/json");
                AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder().contentType("application/json")
                    .deliveryMode(2)
                    .headers(headers)
                    .build();
                channel.basicPublish(exchange, destination, true, properties,
                        event.body().getBytes(StandardCharsets.UTF_8));
            }
            channel.waitForConfirmsOrDie(30_000);
        }
        catch (IOException | TimeoutException e) {
            throw new IllegalStateException("could not publish to " + exchange + ": " + e.getMessage(), e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Optional<String> cannotInject(Fault fault) {
        return administrable ? Optional.empty()
                : Optional.of("rabbitmqctl cannot administer " + infrastructure.description() + " from here");
    }

    /** Closes every client connection of the soak's virtual host. */
    @Override
    public String dropConnections() {
        String listed = rabbitmqctl("list_connections", "-q", "-p", virtualHost, "name").orFail();
        long connections = listed.lines().filter(line -> !line.isBlank() && !line.startsWith("name")).count();
        rabbitmqctl("close_all_connections", "-p", virtualHost, "token factory soak: connection dropped").orFail();
        return connections + " connections closed (rabbitmqctl close_all_connections)";
    }

    /**
     * Stops RabbitMQ's application (the node stays up, every client is cut off) and
     * starts it again.
     */
    @Override
    public String restart() {
        long started = System.nanoTime();
        rabbitmqctl("stop_app").orFail();
        try {
            rabbitmqctl("start_app").orFail();
        }
        finally {
            rabbitmqctl("await_startup");
        }
        return "RabbitMQ's application stopped and started (rabbitmqctl stop_app / start_app), back after "
                + FaultInjector.seconds(Duration.ofNanos(System.nanoTime() - started));
    }

    private static Command.Result rabbitmqctl(String... arguments) {
        List<String> command = new ArrayList<>();
        command.add("rabbitmqctl");
        command.addAll(List.of(arguments));
        return Command.run(Duration.ofMinutes(2), command);
    }

}
