package io.tokenfactory.testsupport;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicBoolean;

import io.tokenfactory.embedded.Databases;
import io.tokenfactory.embedded.EmbeddedAmqpBroker;
import io.tokenfactory.embedded.EmbeddedPostgresServer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.rabbitmq.RabbitMQContainer;

/**
 * Points a Spring test context at a real PostgreSQL and a real AMQP broker, chosen once
 * per JVM in this order:
 * <ol>
 * <li>servers named by environment variables ({@code TF_POSTGRES_HOST},
 * {@code TF_RABBITMQ_HOST}, ...),</li>
 * <li>Testcontainers, when a Docker engine answers,</li>
 * <li>the embedded infrastructure (zonky PostgreSQL, Qpid Broker-J), which needs nothing
 * but a JDK.</li>
 * </ol>
 * Each service gets its own freshly created database, named after
 * {@code spring.application.name}.
 */
public final class TestInfrastructure implements ApplicationContextInitializer<ConfigurableApplicationContext> {

    private static final Logger log = LoggerFactory.getLogger(TestInfrastructure.class);

    /** Unique per test JVM, so runs that share a server never see each other's queues. */
    public static final String RUN_ID = UUID.randomUUID().toString().substring(0, 8);

    private static volatile Infrastructure infrastructure;

    private static final Set<String> preparedDatabases = ConcurrentHashMap.newKeySet();

    /**
     * Stopped, last first, before the databases they use are dropped at the JVM's end.
     */
    private static final Deque<Runnable> stopBeforeDrop = new ConcurrentLinkedDeque<>();

    /**
     * Infrastructure the tests started themselves, closed after everything that used it.
     */
    private static final Deque<Runnable> closeLast = new ConcurrentLinkedDeque<>();

    private static final AtomicBoolean endHookAdded = new AtomicBoolean();

    @Override
    public void initialize(ConfigurableApplicationContext context) {
        Infrastructure infra = get();
        String service = context.getEnvironment().getProperty("spring.application.name", "service");
        // unique per run: two test runs on one PostgreSQL server never drop each other's
        // databases
        String database = "tft_" + RUN_ID + "_" + service.replace('-', '_');
        prepareDatabase(infra, database);

        Map<String, Object> properties = new HashMap<>();
        properties.put("spring.datasource.url",
                "jdbc:postgresql://" + infra.postgresHost() + ":" + infra.postgresPort() + "/" + database);
        properties.put("spring.datasource.username", infra.postgresUser());
        properties.put("spring.datasource.password", infra.postgresPassword());
        properties.put("spring.rabbitmq.host", infra.rabbitHost());
        properties.put("spring.rabbitmq.port", infra.rabbitPort());
        properties.put("spring.rabbitmq.username", infra.rabbitUser());
        properties.put("spring.rabbitmq.password", infra.rabbitPassword());
        // the test's own token issuer, unless a system test points the service at a real
        // gateway's keys
        var commandLine = context.getEnvironment().getPropertySources().get("commandLineArgs");
        if (commandLine == null
                || !commandLine.containsProperty("spring.security.oauth2.resourceserver.jwt.jwk-set-uri")) {
            properties.put("spring.security.oauth2.resourceserver.jwt.jwk-set-uri", TestTokens.jwkSetUri());
        }
        String prefix = "tft-" + RUN_ID + ".";
        properties.put("spring.cloud.stream.rabbit.default.producer.prefix", prefix);
        properties.put("spring.cloud.stream.rabbit.default.consumer.prefix", prefix);
        properties.put("TF_RABBITMQ_DEAD_LETTERING", infra.deadLettering());
        if (TestKafka.enabled()) {
            properties.putAll(TestKafka.serviceProperties());
        }
        if (infra.sharedServer()) {
            // queues of finished runs disappear by themselves from a shared broker
            properties.put("spring.cloud.stream.rabbit.default.consumer.expires", 600_000);
            properties.put("spring.cloud.stream.rabbit.default.consumer.dlq-expires", 600_000);
            properties.put("spring.cloud.stream.rabbit.default.producer.expires", 600_000);
            properties.put("spring.cloud.stream.rabbit.default.producer.dlq-expires", 600_000);
        }
        context.getEnvironment()
            .getPropertySources()
            .addFirst(new MapPropertySource("tokenfactory-test-infrastructure", properties));
    }

    /** The exchange or queue name that a destination has in this test run. */
    public static String prefixed(String name) {
        return "tft-" + RUN_ID + "." + name;
    }

    public static Infrastructure get() {
        if (infrastructure == null) {
            synchronized (TestInfrastructure.class) {
                if (infrastructure == null) {
                    infrastructure = choose();
                    log.info("Tests run against {}{}", infrastructure.description(),
                            TestKafka.enabled() ? ", with the services' events on the embedded Kafka broker" : "");
                }
            }
        }
        return infrastructure;
    }

    private static Infrastructure choose() {
        String pgHost = System.getenv("TF_POSTGRES_HOST");
        String rabbitHost = System.getenv("TF_RABBITMQ_HOST");
        boolean docker = (pgHost == null || rabbitHost == null) && dockerAvailable();

        String postgresHost;
        int postgresPort;
        String postgresUser;
        String postgresPassword;
        String pgDescription;
        if (pgHost != null) {
            postgresHost = pgHost;
            postgresPort = Integer.parseInt(env("TF_POSTGRES_PORT", "5432"));
            postgresUser = env("TF_POSTGRES_USER", "postgres");
            postgresPassword = env("TF_POSTGRES_PASSWORD", "");
            pgDescription = "PostgreSQL at " + pgHost + ":" + postgresPort;
        }
        else if (docker) {
            PostgreSQLContainer container = new PostgreSQLContainer("postgres:17-alpine");
            container.start();
            postgresHost = container.getHost();
            postgresPort = container.getMappedPort(5432);
            postgresUser = container.getUsername();
            postgresPassword = container.getPassword();
            pgDescription = "PostgreSQL in a Testcontainer";
        }
        else {
            EmbeddedPostgresServer embedded = EmbeddedPostgresServer.startEphemeral();
            closeAtTheEnd(embedded::close);
            postgresHost = embedded.host();
            postgresPort = embedded.port();
            postgresUser = EmbeddedPostgresServer.USER;
            postgresPassword = "";
            pgDescription = "embedded PostgreSQL on port " + postgresPort;
        }

        if (rabbitHost != null) {
            int port = Integer.parseInt(env("TF_RABBITMQ_PORT", "5672"));
            return new Infrastructure(postgresHost, postgresPort, postgresUser, postgresPassword, rabbitHost, port,
                    env("TF_RABBITMQ_USER", "guest"), env("TF_RABBITMQ_PASSWORD", "guest"), true, true,
                    pgDescription + " and RabbitMQ at " + rabbitHost + ":" + port);
        }
        if (docker) {
            RabbitMQContainer container = new RabbitMQContainer("rabbitmq:4-alpine");
            container.start();
            return new Infrastructure(postgresHost, postgresPort, postgresUser, postgresPassword, container.getHost(),
                    container.getAmqpPort(), container.getAdminUsername(), container.getAdminPassword(), true, false,
                    pgDescription + " and RabbitMQ in a Testcontainer");
        }
        EmbeddedAmqpBroker broker = EmbeddedAmqpBroker.start(0);
        closeAtTheEnd(broker::close);
        return new Infrastructure(postgresHost, postgresPort, postgresUser, postgresPassword, broker.host(),
                broker.port(), EmbeddedAmqpBroker.USER, EmbeddedAmqpBroker.PASSWORD, false, false,
                pgDescription + " and the embedded AMQP broker on port " + broker.port());
    }

    private static void prepareDatabase(Infrastructure infra, String database) {
        if (!preparedDatabases.add(database)) {
            return;
        }
        try (Connection maintenance = Databases.connect(infra.postgresHost(), infra.postgresPort(),
                infra.postgresUser(), infra.postgresPassword())) {
            Databases.recreate(maintenance, database);
            addEndHook();
        }
        catch (SQLException e) {
            preparedDatabases.remove(database);
            throw new IllegalStateException("Could not create test database " + database + " on " + infra.description(),
                    e);
        }
    }

    /**
     * Runs {@code stop} at the JVM's end before the test databases are dropped, so
     * services a test started by hand stop while their database still answers (a service
     * that outlives its database waits on every connection).
     */
    public static void stopBeforeDatabasesDrop(Runnable stop) {
        stopBeforeDrop.push(stop);
        addEndHook();
    }

    /**
     * Runs {@code close} at the JVM's very end, once the services and test contexts that
     * used it have stopped.
     */
    static void closeAtTheEnd(Runnable close) {
        closeLast.push(close);
        addEndHook();
    }

    private static void addEndHook() {
        if (endHookAdded.compareAndSet(false, true)) {
            Runtime.getRuntime()
                .addShutdownHook(new Thread(TestInfrastructure::stopThenDrop, "test-infrastructure-end"));
        }
    }

    private static void stopThenDrop() {
        runAll(stopBeforeDrop);
        // Spring's own hook closes the test contexts; let it finish before their
        // databases go
        Thread.getAllStackTraces()
            .keySet()
            .stream()
            .filter(thread -> thread.getName().equals("SpringApplicationShutdownHook"))
            .forEach(thread -> {
                try {
                    thread.join(20_000);
                }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        Infrastructure infra = infrastructure;
        if (infra != null && infra.sharedServer()) {
            // an embedded or container server goes away whole; a shared one keeps nothing
            // of this run
            preparedDatabases.forEach(database -> dropQuietly(infra, database));
        }
        runAll(closeLast);
    }

    private static void runAll(Deque<Runnable> stops) {
        for (Runnable stop = stops.poll(); stop != null; stop = stops.poll()) {
            try {
                stop.run();
            }
            catch (RuntimeException e) {
                log.debug("Stopping test infrastructure at the end failed: {}", e.toString());
            }
        }
    }

    private static void dropQuietly(Infrastructure infra, String database) {
        try (Connection maintenance = Databases.connect(infra.postgresHost(), infra.postgresPort(),
                infra.postgresUser(), infra.postgresPassword())) {
            Databases.drop(maintenance, database);
        }
        catch (SQLException ignored) {
            // a leftover test database on a shared server is harmless
        }
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        }
        catch (Throwable e) {
            return false;
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

}
