package io.tokenfactory.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.qpid.server.SystemLauncher;

/**
 * An in-process AMQP 0-9-1 broker (Apache Qpid Broker-J with an in-memory store) that
 * RabbitMQ clients and the Spring Cloud Stream Rabbit binder talk to like RabbitMQ.
 * Messages live in memory: a restart of the broker empties it. It refuses queue arguments
 * for dead-lettering, so dead-letter queues need real RabbitMQ.
 */
public final class EmbeddedAmqpBroker implements AutoCloseable {

    public static final String USER = "guest";

    public static final String PASSWORD = "guest";

    private final SystemLauncher launcher;

    private final int port;

    private final Path workDirectory;

    private EmbeddedAmqpBroker(SystemLauncher launcher, int port, Path workDirectory) {
        this.launcher = launcher;
        this.port = port;
        this.workDirectory = workDirectory;
    }

    /**
     * @param port the AMQP port, or 0 for a free one
     */
    public static EmbeddedAmqpBroker start(int port) {
        int amqpPort = port > 0 ? port : freePort();
        try {
            Path workDirectory = Files.createTempDirectory("tokenfactory-qpid");
            Map<String, String> context = new HashMap<>();
            context.put("qpid.amqp_port", Integer.toString(amqpPort));
            context.put("qpid.work_dir", workDirectory.toString());
            context.put("qpid.broker.defaultPreferenceStoreAttributes", "{\"type\": \"Noop\"}");

            Map<String, Object> systemConfig = new HashMap<>();
            systemConfig.put("type", "Memory");
            systemConfig.put("initialConfigurationLocation",
                    EmbeddedAmqpBroker.class.getResource("qpid-initial-config.json").toExternalForm());
            systemConfig.put("startupLoggedToSystemOut", false);
            systemConfig.put("context", context);

            SystemLauncher launcher = new SystemLauncher();
            launcher.startup(systemConfig);
            return new EmbeddedAmqpBroker(launcher, amqpPort, workDirectory);
        }
        catch (IOException e) {
            throw new UncheckedIOException("Embedded AMQP broker did not start", e);
        }
        catch (Exception e) {
            throw new IllegalStateException("Embedded AMQP broker did not start on port " + amqpPort, e);
        }
    }

    public String host() {
        return "localhost";
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        try {
            launcher.shutdown();
        }
        catch (IllegalStateException alreadyStopped) {
            // Qpid's own JVM shutdown hook got there first
        }
        try (Stream<Path> files = Files.walk(workDirectory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
        catch (IOException | UncheckedIOException ignored) {
            // a leftover temporary directory is harmless
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
