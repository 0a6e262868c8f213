package io.tokenfactory.system.soak;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.tokenfactory.testsupport.FreePorts;
import io.tokenfactory.localrun.ReadinessProbe;
import io.tokenfactory.testsupport.Infrastructure;
import io.tokenfactory.testsupport.TestInfrastructure;

import org.awaitility.Awaitility;

/**
 * The five services as separate operating-system processes (their runnable jars), so a
 * fault can kill one with SIGKILL or stop it with SIGTERM and start it again, the way an
 * operator's supervisor would; a service may run as several replicas. They run on the
 * tests' PostgreSQL (or a cluster of the soak's own, which a fault may restart) with
 * databases of their own, and on RabbitMQ with a virtual host (or queue prefix) of their
 * own or on a Kafka broker of their own. The services reach each other through the first
 * replica of each.
 */
final class SoakSuite implements AutoCloseable {

    enum Service {

        BILLING("billing-service", "TF_BILLING", "tokenfactory.billing"),
        METERING("metering-service", "TF_METERING", "tokenfactory.metering"),
        INFERENCE("inference-service", "TF_INFERENCE", "tokenfactory.inference"),
        AGENTS("agent-service", "TF_AGENTS", "tokenfactory.agents"),
        GATEWAY("gateway", "TF_GATEWAY", "tokenfactory.gateway");

        final String module;

        final String variablePrefix;

        final String propertyPrefix;

        Service(String module, String variablePrefix, String propertyPrefix) {
            this.module = module;
            this.variablePrefix = variablePrefix;
            this.propertyPrefix = propertyPrefix;
        }

    }

    private static final String JAVA_OPTIONS = "-Xmx384m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss512k";

    private final Infrastructure infrastructure = TestInfrastructure.get();

    private final String runId = UUID.randomUUID().toString().substring(0, 8);

    private final Path repository;

    private final Path work;

    private final Broker broker;

    private final PostgresCluster ownDatabaseServer;

    /** Why the soak runs on the tests' PostgreSQL rather than a cluster of its own. */
    private String noOwnDatabaseServer;

    private String postgresHost;

    private int postgresPort;

    private String postgresUser;

    private String postgresPassword;

    private final Map<Service, List<Integer>> ports = new EnumMap<>(Service.class);

    private final Map<Service, Process[]> running = new EnumMap<>(Service.class);

    private final Map<String, String> environment = new LinkedHashMap<>();

    /**
     * Variables of one replica only, over {@link #environment}: keyed service, replica.
     */
    private final Map<String, Map<String, String>> replicaEnvironment = new LinkedHashMap<>();

    private final ReadinessProbe readiness = new ReadinessProbe(Duration.ofSeconds(3));

    /**
     * @param replicas how many instances of a service run (one where absent)
     */
    SoakSuite(Path repository, Path work, Map<Service, Integer> replicas) {
        this(repository, work, replicas, "rabbit", false);
    }

    /**
     * @param replicas how many instances of a service run (one where absent)
     * @param broker {@code rabbit} or {@code kafka}
     * @param ownDatabaseServer whether to run the services on a PostgreSQL cluster of the
     * soak's own where this machine can make one
     */
    SoakSuite(Path repository, Path work, Map<Service, Integer> replicas, String broker, boolean ownDatabaseServer) {
        this.repository = repository;
        this.work = work;
        this.broker = Broker.of(broker, infrastructure, "tf-soak-" + runId);
        PostgresCluster.Found own = ownDatabaseServer ? PostgresCluster.find(work.resolve("postgres"), freePort())
                : new PostgresCluster.Found(null, "the tests' PostgreSQL is shared with everything else");
        this.ownDatabaseServer = own.cluster();
        this.noOwnDatabaseServer = own.reason();
        for (Service service : Service.values()) {
            List<Integer> servicePorts = new ArrayList<>();
            for (int replica = 0; replica < replicas.getOrDefault(service, 1); replica++) {
                servicePorts.add(freePort());
            }
            ports.put(service, servicePorts);
            running.put(service, new Process[servicePorts.size()]);
        }
        if (this.ownDatabaseServer != null) {
            useDatabaseServer("127.0.0.1", this.ownDatabaseServer.port(), PostgresCluster.USER, "");
        }
        else {
            useTestsDatabaseServer();
        }
        environment.put("TF_RABBITMQ_HOST", infrastructure.rabbitHost());
        environment.put("TF_RABBITMQ_PORT", Integer.toString(infrastructure.rabbitPort()));
        environment.put("TF_RABBITMQ_USER", infrastructure.rabbitUser());
        environment.put("TF_RABBITMQ_PASSWORD", infrastructure.rabbitPassword());
        environment.put("TF_RABBITMQ_DEAD_LETTERING", Boolean.toString(infrastructure.deadLettering()));
        for (Service service : Service.values()) {
            environment.put(service.variablePrefix + "_DATABASE", database(service));
            environment.put(service.variablePrefix + "_URL", url(service));
        }
        Path secrets = work.resolve("secrets");
        environment.put("TF_API_KEY_PEPPER_FILE", secrets.resolve("api-key-pepper").toString());
        environment.put("TF_AGENT_SERVICE_KEY_FILE", secrets.resolve("agent-service-key").toString());
        environment.put("TF_AGENT_CREDENTIALS_KEY_FILE", secrets.resolve("agent-credentials-key").toString());
        environment.put("TF_BOOTSTRAP_ADMIN_KEY_FILE", secrets.resolve("admin-key").toString());
        environment.put("TF_NODE_NAME", "soak-node");
        // five connections each: the soak's load needs no more, and the tests' PostgreSQL
        // has 100 for everything
        environment.put("TF_POSTGRES_POOL_SIZE", "5");
        // short power windows and a short grace, so energy moves (and is allocated)
        // within a short soak
        environment.put("TF_ENERGY_WINDOW", "5s");
        environment.put("TF_IDLE_ALLOCATION_INTERVAL", "5s");
        environment.put("TF_IDLE_ALLOCATION_GRACE", "15s");
    }

    private void useTestsDatabaseServer() {
        useDatabaseServer(infrastructure.postgresHost(), infrastructure.postgresPort(), infrastructure.postgresUser(),
                infrastructure.postgresPassword());
    }

    private void useDatabaseServer(String host, int port, String user, String password) {
        postgresHost = host;
        postgresPort = port;
        postgresUser = user;
        postgresPassword = password;
        environment.put("TF_POSTGRES_HOST", host);
        environment.put("TF_POSTGRES_PORT", Integer.toString(port));
        environment.put("TF_POSTGRES_USER", user);
        environment.put("TF_POSTGRES_PASSWORD", password);
    }

    /** Sets an environment variable of every service process started from now on. */
    void environment(String name, String value) {
        environment.put(name, value);
    }

    /**
     * A variable for one replica of a service only (say, one gateway enforcing
     * differently).
     */
    void environment(Service service, int replica, String name, String value) {
        replicaEnvironment.computeIfAbsent(service + ":" + replica, unused -> new LinkedHashMap<>()).put(name, value);
    }

    /**
     * Starts the soak's own PostgreSQL (where it has one), creates the databases and
     * opens the broker, starts all five services and waits until they are ready.
     */
    void start(Duration timeout) {
        deleteRecursively(work); // an earlier run's secrets belong to databases that no
                                 // longer exist
        if (ownDatabaseServer != null) {
            try {
                ownDatabaseServer.start();
            }
            catch (IOException | RuntimeException e) {
                noOwnDatabaseServer = "a cluster of its own could not be started here: " + e;
                ownDatabaseServer.close();
                useTestsDatabaseServer();
            }
        }
        try (Connection maintenance = maintenance(); Statement statement = maintenance.createStatement()) {
            for (Service service : Service.values()) {
                statement.execute("CREATE DATABASE " + database(service));
            }
        }
        catch (SQLException e) {
            throw new IllegalStateException("Could not create the soak's databases: " + e.getMessage(), e);
        }
        broker.open();
        environment.putAll(broker.serviceEnvironment());
        for (Service service : Service.values()) {
            for (int replica = 0; replica < ports.get(service).size(); replica++) {
                launch(service, replica);
            }
        }
        for (Service service : Service.values()) {
            for (int replica = 0; replica < ports.get(service).size(); replica++) {
                awaitReady(service, replica, timeout);
            }
        }
    }

    /**
     * SIGKILL (nothing runs, not even shutdown hooks) or SIGTERM (Spring's graceful
     * shutdown), then started again.
     */
    Duration restart(Service service, boolean kill, Duration timeout) {
        Process process = running.get(service)[0];
        long started = System.nanoTime();
        if (kill) {
            process.destroyForcibly();
        }
        else {
            process.destroy();
        }
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        launch(service, 0);
        awaitReady(service, 0, timeout);
        return Duration.ofNanos(System.nanoTime() - started);
    }

    /**
     * Stops every replica of a service gracefully (SIGTERM) and waits until they are
     * gone.
     */
    void stopAll(Service service) {
        for (Process process : running.get(service)) {
            process.destroy();
        }
        for (Process process : running.get(service)) {
            try {
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /**
     * Starts every replica of a service stopped by {@link #stopAll} again, on its ports.
     */
    void startAll(Service service, Duration timeout) {
        for (int replica = 0; replica < ports.get(service).size(); replica++) {
            launch(service, replica);
        }
        for (int replica = 0; replica < ports.get(service).size(); replica++) {
            awaitReady(service, replica, timeout);
        }
    }

    private void awaitReady(Service service, int replica, Duration timeout) {
        Awaitility.await(service.module + " ready").atMost(timeout).pollInterval(Duration.ofMillis(500)).until(() -> {
            Process process = running.get(service)[replica];
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        service.module + " exited with " + process.exitValue() + "; see " + logFile(service, replica));
            }
            return readiness.ready(url(service, replica));
        });
    }

    String gatewayUrl() {
        return url(Service.GATEWAY);
    }

    String url(Service service, int replica) {
        return "http://localhost:" + ports.get(service).get(replica);
    }

    /** The admin key the gateway wrote on its first start. */
    String adminKey() {
        try {
            return Files.readString(work.resolve("secrets").resolve("admin-key")).strip();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Connection connect(Service service) throws SQLException {
        return DriverManager.getConnection(
                "jdbc:postgresql://" + postgresHost + ":" + postgresPort + "/" + database(service), postgresUser,
                postgresPassword);
    }

    /** The single number a query over a service's database answers (a count, a sum). */
    long count(Service service, String sql) throws SQLException {
        try (Connection connection = connect(service);
                Statement statement = connection.createStatement();
                java.sql.ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getLong(1);
        }
    }

    /**
     * Ends every PostgreSQL session of the services, as a failover or an administrator
     * would.
     */
    int terminateDatabaseSessions() throws SQLException {
        try (Connection maintenance = maintenance()) {
            return terminateSessions(maintenance);
        }
    }

    private int terminateSessions(Connection maintenance) throws SQLException {
        List<String> names = new ArrayList<>();
        for (Service service : Service.values()) {
            names.add("'" + database(service) + "'");
        }
        try (Statement statement = maintenance.createStatement();
                var rows = statement.executeQuery("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                        + "WHERE datname IN (" + String.join(",", names) + ") AND pid <> pg_backend_pid()")) {
            rows.next();
            return rows.getInt(1);
        }
    }

    /**
     * Makes the services' databases read-only for a while, as a full disk or a failover
     * to a standby does: new transactions may read but not write, and every session is
     * ended so that the services' new ones are read-only too; then writable again (and
     * the read-only sessions ended).
     */
    String readOnlyFor(Duration moment) throws SQLException {
        try (Connection maintenance = maintenance(); Statement statement = maintenance.createStatement()) {
            for (Service service : Service.values()) {
                statement.execute("ALTER DATABASE " + database(service) + " SET default_transaction_read_only = on");
            }
            int ended;
            try {
                ended = terminateSessions(maintenance);
                Instant until = Instant.now().plus(moment);
                Awaitility.await("the databases' read-only moment")
                    .atMost(moment.plusSeconds(5))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> Instant.now().isAfter(until));
            }
            finally {
                for (Service service : Service.values()) {
                    statement.execute("ALTER DATABASE " + database(service) + " RESET default_transaction_read_only");
                }
            }
            ended += terminateSessions(maintenance);
            return "read-only for " + FaultInjector.seconds(moment) + ", " + ended + " sessions ended";
        }
    }

    /** Why the whole database server cannot be restarted here; empty when it can. */
    Optional<String> databaseRestartUnavailable() {
        return ownDatabaseServer != null && noOwnDatabaseServer == null ? Optional.empty()
                : Optional.of(noOwnDatabaseServer);
    }

    /** Restarts the soak's own PostgreSQL cluster, gracefully or as a crash. */
    String restartDatabaseServer(boolean crash) {
        return ownDatabaseServer.restart(crash);
    }

    String databaseServerDescription() {
        return databaseRestartUnavailable().isEmpty() ? ownDatabaseServer.description()
                : "the tests' PostgreSQL at " + postgresHost + ":" + postgresPort + " (" + noOwnDatabaseServer + ")";
    }

    Broker broker() {
        return broker;
    }

    private Path logFile(Service service, int replica) {
        return work.resolve("logs").resolve(service.module + (replica == 0 ? "" : "-" + (replica + 1)) + ".log");
    }

    private void launch(Service service, int replica) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(JAVA_OPTIONS.split(" ")));
        command.add("-jar");
        command.add(executableJar(service).toString());
        command.addAll(broker.serviceArguments());
        if (service != Service.GATEWAY) {
            // faults leave events in the outbox; send them again soon rather than after
            // the production grace
            command.add("--" + service.propertyPrefix + ".outbox.resubmit-interval=PT2S");
            command.add("--" + service.propertyPrefix + ".outbox.resubmit-after=PT5S");
        }
        try {
            Files.createDirectories(work.resolve("logs"));
            Files.createDirectories(work.resolve("secrets"));
            Files.writeString(logFile(service, replica), "---- start " + java.time.Instant.now() + "\n",
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            ProcessBuilder builder = new ProcessBuilder(command).directory(work.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile(service, replica).toFile()));
            builder.environment().putAll(environment);
            builder.environment().putAll(replicaEnvironment.getOrDefault(service + ":" + replica, Map.of()));
            builder.environment()
                .put(service.variablePrefix + "_PORT", Integer.toString(ports.get(service).get(replica)));
            running.get(service)[replica] = builder.start();
        }
        catch (IOException e) {
            throw new UncheckedIOException("Could not start " + service.module, e);
        }
    }

    private Path executableJar(Service service) {
        Path target = repository.resolve(service.module).resolve("target");
        try (var jars = Files.list(target)) {
            return jars.filter(path -> path.getFileName().toString().endsWith("-exec.jar"))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("No runnable jar in " + target + "; run ./mvnw package"));
        }
        catch (IOException e) {
            throw new UncheckedIOException("No runnable jar in " + target + "; run ./mvnw package", e);
        }
    }

    private String database(Service service) {
        return "tfsoak_" + runId + "_" + service.module.replace("-service", "").replace('-', '_');
    }

    private String url(Service service) {
        return url(service, 0);
    }

    private Connection maintenance() throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://" + postgresHost + ":" + postgresPort + "/postgres",
                postgresUser, postgresPassword);
    }

    /**
     * Stops the services (gracefully, then forcibly), drops their databases and the
     * virtual host.
     */
    @Override
    public void close() {
        List<Process> processes = running.values()
            .stream()
            .flatMap(java.util.Arrays::stream)
            .filter(java.util.Objects::nonNull)
            .toList();
        processes.forEach(Process::destroy);
        for (Process process : processes) {
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
            catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        if (databaseRestartUnavailable().isEmpty()) {
            // its files stay in the work directory (until the next soak)
            ownDatabaseServer.close();
        }
        else if (!Boolean.getBoolean("tokenfactory.soak.keep-data")) {
            try (Connection maintenance = maintenance(); Statement statement = maintenance.createStatement()) {
                for (Service service : Service.values()) {
                    statement.execute("DROP DATABASE IF EXISTS " + database(service) + " WITH (FORCE)");
                }
            }
            catch (SQLException e) {
                System.err.println("Could not drop the soak's databases: " + e.getMessage());
            }
        }
        broker.close();
    }

    private static void deleteRecursively(Path directory) {
        if (!Files.exists(directory)) {
            return;
        }
        try (var paths = Files.walk(directory)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException("Could not clear " + directory, e);
        }
    }

    private static int freePort() {
        return FreePorts.next();
    }

}
