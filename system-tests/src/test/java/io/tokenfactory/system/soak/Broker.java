package io.tokenfactory.system.soak;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.tokenfactory.testsupport.Infrastructure;

/**
 * The soak's part of the broker. On a local RabbitMQ that {@code rabbitmqctl} can
 * administer, a virtual host of its own (so dropping "its" connections touches nobody
 * else's) and the broker faults; elsewhere (the embedded broker, a remote one) a
 * queue-name prefix on the default virtual host, and no broker faults.
 */
final class Broker {

    private final Infrastructure infrastructure;

    private final String virtualHost;

    private final boolean administrable;

    Broker(Infrastructure infrastructure, String virtualHost) {
        this.infrastructure = infrastructure;
        this.virtualHost = virtualHost;
        boolean local = List.of("localhost", "127.0.0.1", "::1").contains(infrastructure.rabbitHost());
        this.administrable = local && infrastructure.deadLettering() && rabbitmqctl("status").succeeded();
    }

    boolean administrable() {
        return administrable;
    }

    void createVirtualHost() {
        if (administrable) {
            rabbitmqctl("add_vhost", virtualHost).orFail();
            rabbitmqctl("set_permissions", "-p", virtualHost, infrastructure.rabbitUser(), ".*", ".*", ".*").orFail();
        }
    }

    void deleteVirtualHost() {
        if (administrable) {
            rabbitmqctl("delete_vhost", virtualHost);
        }
    }

    /**
     * Command-line arguments that put a service on the soak's virtual host, or behind its
     * prefix.
     */
    List<String> serviceArguments() {
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

    /** The virtual host the services use. */
    String clientVirtualHost() {
        return administrable ? virtualHost : "/";
    }

    /**
     * An exchange's name as the services see it (prefixed where they share the default
     * virtual host).
     */
    String exchange(String destination) {
        return administrable ? destination : virtualHost + "." + destination;
    }

    /**
     * Closes every client connection of the soak's virtual host; returns how many there
     * were.
     */
    int dropConnections() {
        String listed = rabbitmqctl("list_connections", "-q", "-p", virtualHost, "name").orFail();
        int connections = (int) listed.lines().filter(line -> !line.isBlank() && !line.startsWith("name")).count();
        rabbitmqctl("close_all_connections", "-p", virtualHost, "token factory soak: connection dropped").orFail();
        return connections;
    }

    /** Messages waiting in the soak's dead-letter queues. */
    long deadLettered() {
        return rabbitmqctl("list_queues", "-q", "-p", virtualHost, "name", "messages").orFail()
            .lines()
            .map(line -> line.trim().split("\\s+"))
            .filter(fields -> fields.length == 2 && fields[0].endsWith(".dlq"))
            .mapToLong(fields -> Long.parseLong(fields[1]))
            .sum();
    }

    /**
     * Stops RabbitMQ's application (the node stays up, every client is cut off) and
     * starts it again.
     */
    void restartApplication() {
        rabbitmqctl("stop_app").orFail();
        try {
            rabbitmqctl("start_app").orFail();
        }
        finally {
            rabbitmqctl("await_startup");
        }
    }

    private static Result rabbitmqctl(String... arguments) {
        List<String> command = new ArrayList<>();
        command.add("rabbitmqctl");
        command.addAll(List.of(arguments));
        try {
            // output to a file, so that waiting is bounded by the timeout rather than by
            // the end of the output
            java.nio.file.Path output = java.nio.file.Files.createTempFile("rabbitmqctl", ".out");
            try {
                Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .start();
                if (!process.waitFor(120, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    return new Result(command, -1, "timed out");
                }
                return new Result(command, process.exitValue(),
                        java.nio.file.Files.readString(output, StandardCharsets.UTF_8));
            }
            finally {
                java.nio.file.Files.deleteIfExists(output);
            }
        }
        catch (IOException e) {
            return new Result(command, -1, e.getMessage());
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(command, -1, "interrupted");
        }
    }

    private record Result(List<String> command, int exit, String output) {

        boolean succeeded() {
            return exit == 0;
        }

        String orFail() {
            if (exit != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited with " + exit + ": " + output);
            }
            return output;
        }
    }

}
