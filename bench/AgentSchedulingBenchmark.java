import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.tokenfactory.agents.AgentServiceApplication;
import io.tokenfactory.agents.definition.AgentCatalog;
import io.tokenfactory.agents.definition.AgentDefinition;
import io.tokenfactory.agents.definition.AgentState;
import io.tokenfactory.agents.definition.StateReason;

import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * One agent-service instance keeping always-on agents on schedule: AGENTS agents, each an always-on loop every 10 s,
 * calling a stub of the gateway that answers at once (the scheduler is measured, not a model). After a warm-up,
 * every run scheduled in the measured window is checked: did it start, and how late (start delay = started − due).
 * Heap and CPU of the service's JVM are sampled meanwhile. Side by side, in the same run: the shipped setting
 * (500 schedules fired and 500 runs started per transaction) and the baseline of one per transaction.
 *
 * The target is stated for the first agent count; further counts show where each setting stops keeping up.
 *
 *   java -cp CLASSPATH bench/AgentSchedulingBenchmark.java WINDOW_SECONDS RESULT_FILE AGENTS...
 */
public class AgentSchedulingBenchmark {

    static final String PG_HOST = env("TF_POSTGRES_HOST", "localhost");
    static final String PG_PORT = env("TF_POSTGRES_PORT", "5432");
    static final String PG_USER = env("TF_POSTGRES_USER", "postgres");
    static final String PG_PASSWORD = env("TF_POSTGRES_PASSWORD", "");
    static final int INTERVAL_SECONDS = 10;
    static final Duration WARM_UP = Duration.ofSeconds(20);

    record Result(String name, int agents, long expected, long started, long notStarted, double p50, double p99,
            double max, long heapPeakMb, long heapLiveMb, double cpuCores, double seconds) {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("sun.net.httpserver.nodelay", "true");
        int window = Integer.parseInt(args[0]);
        int agents = Integer.parseInt(args[2]);
        HttpServer stub = stubGateway();
        List<Result> results = new ArrayList<>();
        try {
            for (int i = 2; i < args.length; i++) {
                int count = Integer.parseInt(args[i]);
                results.add(measure("500 per transaction (shipped)", 500, count, window, stub));
                results.add(measure("one per transaction (baseline)", 1, count, window, stub));
            }
        } finally {
            stub.stop(0);
        }
        StringBuilder report = new StringBuilder("# agent-service: always-on agents on schedule\n\n")
                .append(Instant.now()).append(", ").append(Runtime.getRuntime().availableProcessors())
                .append(" cores shared by PostgreSQL, RabbitMQ, agent-service and the stub gateway; Java ")
                .append(System.getProperty("java.version")).append("; agents every ")
                .append(INTERVAL_SECONDS).append(" s, measured over ").append(window).append(" s after a ")
                .append(WARM_UP.toSeconds()).append(" s warm-up; one instance, ")
                .append(env("TF_AGENT_MAX_CONCURRENT_RUNS", "64")).append(" runs at once, ")
                .append(env("TF_POSTGRES_POOL_SIZE", "10")).append(" database connections\n\n")
                .append("| agents | run | fires due | started | not started | start delay p50 (ms) | p99 (ms) | max (ms) | runs/s | heap peak (MB) | heap live after GC (MB) | CPU (cores) |\n")
                .append("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Result r : results) {
            report.append(String.format(Locale.ROOT, "| %,d | %s | %,d | %,d | %,d | %.0f | %.0f | %.0f | %.1f | %d | %d | %.2f |%n",
                    r.agents(), r.name(), r.expected(), r.started(), r.notStarted(), r.p50(), r.p99(), r.max(),
                    r.started() / r.seconds(), r.heapPeakMb(), r.heapLiveMb(), r.cpuCores()));
        }
        Result shipped = results.get(0);
        report.append(String.format(Locale.ROOT, "%nTarget: p99 start delay ≤ 1,000 ms with %,d agents — %s (p99 %.0f ms).%n",
                agents, shipped.p99() <= 1000 && shipped.notStarted() == 0 ? "met" : "NOT met", shipped.p99()));
        System.out.print(report);
        java.nio.file.Files.writeString(java.nio.file.Path.of(args[1]), report.toString());
        System.exit(shipped.p99() <= 1000 && shipped.notStarted() == 0 ? 0 : 1);
    }

    static Result measure(String name, int batch, int agents, int window, HttpServer stub) throws Exception {
        String run = Long.toHexString(System.nanoTime()).substring(0, 8);
        String database = "tf_bench_agents_" + run;
        createDatabase(database, true);
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        ConfigurableApplicationContext service = new SpringApplication(AgentServiceApplication.class).run(
                "--server.port=0",
                "--spring.datasource.url=jdbc:postgresql://" + PG_HOST + ":" + PG_PORT + "/" + database,
                "--spring.datasource.username=" + PG_USER, "--spring.datasource.password=" + PG_PASSWORD,
                "--spring.rabbitmq.host=" + env("TF_RABBITMQ_HOST", "localhost"),
                "--spring.rabbitmq.port=" + env("TF_RABBITMQ_PORT", "5672"),
                "--spring.cloud.stream.rabbit.default.consumer.prefix=bench-" + run + ".",
                "--spring.cloud.stream.rabbit.default.producer.prefix=bench-" + run + ".",
                "--tokenfactory.agents.gateway.url=http://localhost:" + stub.getAddress().getPort(),
                "--tokenfactory.agents.gateway.service-key=tf_bench_service_key",
                "--tokenfactory.agents.credentials.encryption-key=" + Base64.getEncoder().encodeToString(key),
                "--tokenfactory.agents.runs.batch=" + batch,
                // a queue for agent-state-changed, as the gateway's would be: published events are routable
                "--spring.cloud.stream.bindings.agent-state-changed.producer.required-groups=bench",
                "--logging.level.root=WARN", "--logging.level.io.tokenfactory=WARN", "--spring.main.banner-mode=off");
        try {
            AgentCatalog catalog = service.getBean(AgentCatalog.class);
            for (int i = 0; i < agents; i++) {
                UUID department = new UUID(0, i % 10 + 1);
                UUID agent = catalog.create(department, "always-on-" + i, new AgentDefinition("stub-model",
                        "Check the queue and report.", List.of(), AgentDefinition.TriggerKind.LOOP, INTERVAL_SECONDS,
                        null, null, 3, 10_000, 100_000, null, AgentDefinition.OverlapPolicy.SKIP)).id();
                catalog.transition(agent, AgentState.ACTIVE, StateReason.MANUAL);
            }
            Thread.sleep(WARM_UP.toMillis());
            Instant from = Instant.now();
            Instant to = from.plusSeconds(window);
            var memory = ManagementFactory.getMemoryMXBean();
            var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long cpuStart = os.getProcessCpuTime();
            long nanoStart = System.nanoTime();
            long heapPeak = 0;
            while (Instant.now().isBefore(to)) {
                heapPeak = Math.max(heapPeak, memory.getHeapMemoryUsage().getUsed());
                Thread.sleep(250);
            }
            double cpuCores = (os.getProcessCpuTime() - cpuStart) / (double) (System.nanoTime() - nanoStart);
            Thread.sleep(3_000); // the last fires of the window start
            System.gc();
            long heapLive = memory.getHeapMemoryUsage().getUsed();
            try (Connection db = DriverManager.getConnection("jdbc:postgresql://" + PG_HOST + ":" + PG_PORT + "/"
                    + database, PG_USER, PG_PASSWORD);
                    PreparedStatement query = db.prepareStatement("""
                            SELECT count(*) FILTER (WHERE started_at IS NOT NULL),
                                count(*) FILTER (WHERE started_at IS NULL),
                                percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM started_at - scheduled_for)),
                                percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM started_at - scheduled_for)),
                                max(extract(epoch FROM started_at - scheduled_for))
                            FROM agent_run WHERE scheduled_for >= ? AND scheduled_for < ?""");
                    PreparedStatement skipped = db.prepareStatement(
                            "SELECT COALESCE(sum(skipped_fires + missed_fires), 0) FROM agent_schedule")) {
                query.setTimestamp(1, Timestamp.from(from));
                query.setTimestamp(2, Timestamp.from(to));
                ResultSet row = query.executeQuery();
                row.next();
                ResultSet skips = skipped.executeQuery();
                skips.next();
                long expected = (long) agents * window / INTERVAL_SECONDS;
                long started = row.getLong(1);
                return new Result(name, agents, expected, started, row.getLong(2) + skips.getLong(1)
                        + Math.max(0, expected - started - row.getLong(2)), row.getDouble(3) * 1000, row.getDouble(4) * 1000,
                        row.getDouble(5) * 1000, heapPeak >> 20, heapLive >> 20, cpuCores, window);
            }
        } finally {
            service.getBean(org.springframework.amqp.core.AmqpAdmin.class)
                    .deleteQueue("bench-" + run + ".tokenfactory.agent-state-changed.bench");
            service.close();
            createDatabase(database, false);
        }
    }

    /** The gateway at the edge: issues agent keys and answers every completion at once with a final answer. */
    static HttpServer stubGateway() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 500);
        server.setExecutor(Executors.newFixedThreadPool(16));
        server.createContext("/api/keys", exchange -> {
            exchange.getRequestBody().readAllBytes();
            respond(exchange, 201, "{\"secret\":\"tf_" + UUID.randomUUID().toString().replace("-", "")
                    + "\",\"key\":{\"id\":\"" + UUID.randomUUID() + "\"}}");
        });
        server.createContext("/v1/chat/completions", exchange -> {
            exchange.getRequestBody().readAllBytes();
            respond(exchange, 200, "{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,"
                    + "\"finish_reason\":\"stop\",\"message\":{\"role\":\"assistant\",\"content\":\"All quiet.\"}}],"
                    + "\"usage\":{\"prompt_tokens\":40,\"completion_tokens\":4,\"total_tokens\":44}}");
        });
        server.start();
        return server;
    }

    static void respond(HttpExchange exchange, int status, String body) throws java.io.IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    static void createDatabase(String name, boolean create) throws Exception {
        try (Connection connection = DriverManager.getConnection("jdbc:postgresql://" + PG_HOST + ":" + PG_PORT
                + "/postgres", PG_USER, PG_PASSWORD)) {
            connection.createStatement().execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            if (create) {
                connection.createStatement().execute("CREATE DATABASE " + name);
            }
        }
    }

    static String env(String name, String otherwise) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? otherwise : value;
    }
}
