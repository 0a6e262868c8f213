package io.tokenfactory.system;

import io.tokenfactory.testsupport.TestKafka;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * Stops and starts the local RabbitMQ's application ({@code rabbitmqctl stop_app} /
 * {@code start_app}) — a real broker outage for every connected service — where this
 * machine runs RabbitMQ and lets us control it.
 */
final class BrokerOutage {

    private BrokerOutage() {
    }

    /**
     * True when the tests use a broker on this machine and {@code rabbitmqctl} controls
     * it.
     */
    static boolean possible() {
        if (TestKafka.enabled()) {
            // this is a RabbitMQ outage; the Kafka variant's broker lives in the test JVM
            return false;
        }
        String host = System.getenv().getOrDefault("TF_RABBITMQ_HOST", "");
        return (host.equals("127.0.0.1") || host.equals("localhost")) && run("status");
    }

    static void begin() {
        if (!run("stop_app")) {
            throw new IllegalStateException("rabbitmqctl stop_app failed");
        }
    }

    static void end() {
        if (!run("start_app") || !run("await_startup")) {
            throw new IllegalStateException("rabbitmqctl start_app failed");
        }
    }

    private static boolean run(String command) {
        try {
            Process process = new ProcessBuilder("rabbitmqctl", command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return false;
            }
            return process.exitValue() == 0;
        }
        catch (IOException e) {
            return false;
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

}
