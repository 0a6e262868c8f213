import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import ch.qos.logback.classic.Level;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.tokenfactory.embedded.Databases;
import io.tokenfactory.embedded.EmbeddedAmqpBroker;
import io.tokenfactory.embedded.EmbeddedPostgresServer;
import io.tokenfactory.simulated.SimulatedGpuNode;

import org.slf4j.LoggerFactory;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Energy-aware routing, measured through inference-service's HTTP API: one model served by two SIMULATED GPU nodes,
 * node A making twice the tokens per joule of node B, and the same open-loop load — Poisson arrivals of streamed chat
 * requests at a fixed rate, from the same seed — sent under each routing strategy in turn: round robin,
 * least-outstanding and efficiency. Each strategy is a model of its own with the same two deployments (one per node),
 * so one inference-service serves all three cells and each strategy's router learns only from its own cell.
 *
 * Per cell, after a warm-up (not measured; the router learns its moving averages): factory-wide tokens per joule =
 * content chunks streamed to the clients during the measured seconds (one chunk is one token on the simulated node)
 * over the joules both nodes drew in those same seconds (each node's own running total, read at both ends: the
 * simulator's truth, not a meter's reading of it); the time to first token of every request sent in those seconds
 * (request sent → first content chunk received); errors; and which node inference-service says served each request
 * (its request log).
 *
 * Everything runs on this machine: the two simulated nodes in this JVM, an embedded PostgreSQL (fsync off) and AMQP
 * broker, a JWK set for identity tokens the way the gateway mints them, inference-service as its own JVM (metering
 * both nodes through their DCGM-format exporters, as it would real ones) and the clients.
 *
 * Run with bench/routing.sh; arguments: seconds per cell, requests per second, output file, file holding
 * inference-service's class path.
 */
public class RoutingBenchmark {

    /*
     * The two nodes: the same speed (a decode step of 20 ms plus 0.2 ms per request running, up to 32 at once: decode
     * is bound by memory bandwidth, so a larger batch barely slows a step), but B
     * draws twice A's power at every batch size (idle 40 W against 20 W, 120 W per running request against 60 W). At
     * equal load B therefore spends exactly twice A's joules per token: A makes twice B's tokens per joule.
     */
    static final SimulatedGpuNode.Settings NODE_A = new SimulatedGpuNode.Settings(0, "node-a", 1, 20, 60,
            Duration.ofMillis(20), Duration.ofNanos(200_000), 32);

    static final SimulatedGpuNode.Settings NODE_B = new SimulatedGpuNode.Settings(0, "node-b", 1, 40, 120,
            Duration.ofMillis(20), Duration.ofNanos(200_000), 32);

    /** Each model's time-to-first-token objective (routing.time-to-first-token-objective). */
    static final Duration TTFT_OBJECTIVE = Duration.ofMillis(500);

    /** Efficiency's goal over round robin: at least this much more tokens per joule. */
    static final double GOAL_GAIN = 0.25;

    /** Every request asks for this many tokens (the simulated node always makes all of them). */
    static final int MAX_TOKENS = 64;

    static final long SEED = 20_251_207L;

    static final String PROMPT = "Summarise the factory's energy use this week in one short paragraph.";

    /** The strategies, in the order their cells run; each is the model named after it. */
    static final List<String> STRATEGIES = List.of("round-robin", "least-outstanding", "efficiency");

    static final JsonMapper JSON = JsonMapper.builder().build();

    static final HttpClient HTTP = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .executor(Executors.newCachedThreadPool())
        .build();

    public static void main(String[] args) throws Exception {
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(Level.WARN);
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 60;
        double rate = args.length > 1 ? Double.parseDouble(args[1]) : 6;
        Path output = args.length > 2 ? Path.of(args[2]) : null;
        String classpath = Files.readString(Path.of(args[3])).trim();
        if (!(rate > 0) || !(seconds > 0)) {
            throw new IllegalArgumentException("seconds per cell and requests per second must be positive");
        }
        double warmup = Math.min(10, seconds / 3);
        Path work = Files.createTempDirectory("routing-bench");
        ECKey key = new ECKeyGenerator(Curve.P_256).keyID("bench-gateway").generate();
        HttpServer jwks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        String jwkSet = new JWKSet(key.toPublicJWK()).toString();
        jwks.createContext("/.well-known/jwks.json", exchange -> respond(exchange, 200, "application/json", jwkSet));
        jwks.start();
        String token = token(key, UUID.randomUUID());
        String database = "tf_bench_routing";
        try (SimulatedGpuNode a = SimulatedGpuNode.start(NODE_A);
                SimulatedGpuNode b = SimulatedGpuNode.start(NODE_B);
                EmbeddedPostgresServer postgres = EmbeddedPostgresServer.startEphemeral();
                EmbeddedAmqpBroker broker = EmbeddedAmqpBroker.start(0)) {
            try (Connection maintenance = postgres.connectToMaintenanceDatabase()) {
                Databases.createIfMissing(maintenance, database);
            }
            Map<String, String> environment = new LinkedHashMap<>();
            environment.put("TF_POSTGRES_HOST", postgres.host());
            environment.put("TF_POSTGRES_PORT", Integer.toString(postgres.port()));
            environment.put("TF_POSTGRES_USER", EmbeddedPostgresServer.USER);
            environment.put("TF_POSTGRES_PASSWORD", "");
            environment.put("TF_RABBITMQ_HOST", broker.host());
            environment.put("TF_RABBITMQ_PORT", Integer.toString(broker.port()));
            environment.put("TF_RABBITMQ_DEAD_LETTERING", "false");
            environment.put("TF_GATEWAY_URL", "http://127.0.0.1:" + jwks.getAddress().getPort());
            environment.put("TF_ENERGY_SOURCE", "estimated");
            environment.put("TF_INFERENCE_DATABASE", database);
            String loadBefore = Files.readString(Path.of("/proc/loadavg")).trim();
            try (Service service = Service.start(classpath, environment, a, b, work)) {
                List<Cell> cells = new ArrayList<>();
                for (String strategy : STRATEGIES) {
                    Cell cell = run(service.url, token, strategy, rate, warmup, seconds, a, b,
                            postgres.jdbcUrl(database));
                    System.out.println(cell.row());
                    cells.add(cell);
                }
                String loadAfter = Files.readString(Path.of("/proc/loadavg")).trim();
                String report = report(seconds, rate, warmup, cells, loadBefore, loadAfter);
                System.out.print(report);
                if (output != null) {
                    Files.writeString(output, report);
                }
            }
        }
        finally {
            jwks.stop(0);
        }
        // inference-service's log is kept only when something went wrong
        try (var files = Files.walk(work)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
        System.exit(0);
    }

    static String model(String strategy) {
        return "sim-" + strategy;
    }

    /**
     * One cell: the open-loop load against one strategy's model, warm-up then the measured seconds, then every
     * request let finish and both nodes let go idle.
     */
    static Cell run(String url, String token, String strategy, double rate, double warmup, double seconds,
            SimulatedGpuNode a, SimulatedGpuNode b, String jdbcUrl) throws Exception {
        // nothing of the last cell still runs on either node
        long quiet = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (a.running() + b.running() > 0) {
            if (System.nanoTime() > quiet) {
                throw new IllegalStateException("the simulated nodes are still busy a minute after the last cell");
            }
            pause(50);
        }
        String model = model(strategy);
        Window window = new Window();
        ConcurrentLinkedQueue<Result> measured = new ConcurrentLinkedQueue<>();
        List<Future<?>> requests = new ArrayList<>();
        ExecutorService clients = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "client");
            thread.setDaemon(true);
            return thread;
        });
        // the same arrivals for every cell: exponential gaps from the same seed
        Random arrivals = new Random(SEED);
        long start = System.nanoTime();
        long windowFrom = start + (long) (warmup * 1e9);
        long windowTo = windowFrom + (long) (seconds * 1e9);
        double[] energyFrom = null;
        double[] energyTo = null;
        Instant from = null;
        Instant to = null;
        Sampler batches = null;
        long next = start;
        while (true) {
            long now = System.nanoTime();
            if (energyFrom == null && now >= windowFrom) {
                from = Instant.now();
                window.from = System.nanoTime();
                energyFrom = new double[] { a.energyJoules(), b.energyJoules() };
                batches = Sampler.start(a, b);
            }
            if (now >= windowTo) {
                window.to = System.nanoTime();
                energyTo = new double[] { a.energyJoules(), b.energyJoules() };
                to = Instant.now();
                batches.stop();
                break;
            }
            if (now >= next) {
                boolean counted = energyFrom != null;
                requests.add(clients.submit(() -> {
                    Result result = stream(url, token, model, window);
                    if (counted) {
                        measured.add(result);
                    }
                }));
                next += (long) (-Math.log(1 - arrivals.nextDouble()) / rate * 1e9);
                continue;
            }
            long wake = Math.min(next, energyFrom == null ? windowFrom : windowTo);
            long wait = wake - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
        }
        for (Future<?> request : requests) {
            request.get(5, TimeUnit.MINUTES);
        }
        clients.shutdown();
        List<Long> ttft = new ArrayList<>();
        long errors = 0;
        long usageTokens = 0;
        long withoutUsage = 0;
        for (Result result : measured) {
            if (result.status == 200 && result.firstTokenNanos > 0) {
                ttft.add(result.firstTokenNanos);
                usageTokens += result.usageTokens >= 0 ? result.usageTokens : result.chunks;
                withoutUsage += result.usageTokens >= 0 ? 0 : 1;
            }
            else {
                errors++;
            }
        }
        Collections.sort(ttft);
        Map<String, long[]> served = servedByNode(jdbcUrl, model, from, to, ttft.size());
        return new Cell(strategy, rate, (window.to - window.from) / 1e9, measured.size(), errors, ttft, usageTokens,
                withoutUsage, window.tokens.get(), energyTo[0] - energyFrom[0], energyTo[1] - energyFrom[1],
                batches.meanA(), batches.meanB(), served);
    }

    /**
     * inference-service's request log for the requests that started in the measured seconds: node → {requests,
     * completion tokens}. Rows are written as requests finish; waits (up to 15 s) until it has them all.
     */
    static Map<String, long[]> servedByNode(String jdbcUrl, String model, Instant from, Instant to, long expected)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        try (Connection db = DriverManager.getConnection(jdbcUrl, EmbeddedPostgresServer.USER, "")) {
            while (true) {
                Map<String, long[]> byNode = new java.util.TreeMap<>();
                long rows = 0;
                try (PreparedStatement query = db.prepareStatement("SELECT node, count(*), sum(completion_tokens)"
                        + " FROM inference_request WHERE model = ? AND started_at >= ? AND started_at < ?"
                        + " GROUP BY node")) {
                    query.setString(1, model);
                    query.setTimestamp(2, Timestamp.from(from));
                    query.setTimestamp(3, Timestamp.from(to));
                    try (ResultSet result = query.executeQuery()) {
                        while (result.next()) {
                            byNode.put(result.getString(1), new long[] { result.getLong(2), result.getLong(3) });
                            rows += result.getLong(2);
                        }
                    }
                }
                if (rows >= expected || System.nanoTime() > deadline) {
                    return byNode;
                }
                pause(250);
            }
        }
    }

    static String report(double seconds, double rate, double warmup, List<Cell> cells, String loadBefore,
            String loadAfter) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT,
                "# Routing — factory-wide tokens per joule and time to first token by strategy (%s)%n%n",
                java.time.LocalDate.now()));
        out.append(String.format(Locale.ROOT,
                "`bench/routing.sh %s %s` on %d cores; load average %s before and %s after (/proc/loadavg).%n%n",
                plain(seconds), plain(rate), Runtime.getRuntime().availableProcessors(), loadBefore.split(" ")[0],
                loadAfter.split(" ")[0]));
        out.append(String.format(Locale.ROOT,
                "Two SIMULATED GPU nodes (simulated-gpu-node: no GPU, no model; the joules are the simulator's own"
                        + " truth), each one GPU with the same speed — a decode step of %d ms plus %d ms per request"
                        + " running, up to %d at once — but node B draws twice node A's power at every batch size"
                        + " (A: %.0f W idle + %.0f W per running request; B: %.0f W + %.0f W), so A makes twice B's"
                        + " tokens per joule at equal load. inference-service (its own JVM, metering both nodes"
                        + " through their DCGM-format exporters every 500 ms) serves one model per strategy, each with"
                        + " the same two deployments (`remote.max-concurrency` 32 each) and a time-to-first-token"
                        + " objective of %d ms.%n%n",
                NODE_A.baseStep().toMillis(), NODE_A.stepPerRequest().toMillis(), NODE_A.maxBatch(),
                NODE_A.idleWatts(), NODE_A.wattsPerRequest(), NODE_B.idleWatts(), NODE_B.wattsPerRequest(),
                TTFT_OBJECTIVE.toMillis()));
        out.append(String.format(Locale.ROOT,
                "Load: open loop, Poisson arrivals at %s requests/s (the same seed, so the same arrivals, in every"
                        + " cell), each a streamed chat request for %d tokens; per cell %.0f s of warm-up (not"
                        + " measured) then %.0f s measured, the cells one after another in the order below, both nodes"
                        + " idle before each. Tokens/J = content chunks the clients received in the measured seconds"
                        + " (one token each) ÷ the joules both nodes drew in the same seconds; time to first token ="
                        + " request sent → first content chunk received, for the requests sent in those seconds;"
                        + " requests by node = inference-service's request log for them; mean batch = the requests"
                        + " each node was running, sampled every 10 ms.%n%n",
                plain(rate), MAX_TOKENS, warmup, seconds));
        out.append("| strategy | offered req/s | requests | errors | completion tokens (usage) | tokens in window"
                + " | joules A | joules B | joules | tokens/J | p50 TTFT ms | p99 TTFT ms | requests A / B"
                + " | mean batch A / B |\n");
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        cells.forEach(cell -> out.append(cell.row()).append('\n'));
        long withoutUsage = cells.stream().mapToLong(Cell::withoutUsage).sum();
        if (withoutUsage > 0) {
            out.append(String.format(Locale.ROOT,
                    "%n%d responses carried no usage chunk; their completion tokens are their content chunks.%n",
                    withoutUsage));
        }
        out.append("\nPer node (tokens of the requests each served ÷ its joules; requests that started in the window):\n\n");
        out.append("| strategy | node A tokens/J | node B tokens/J | A ÷ B |\n|---|---:|---:|---:|\n");
        for (Cell cell : cells) {
            double perA = cell.tokensOn("node-a") / cell.joulesA();
            double perB = cell.tokensOn("node-b") / cell.joulesB();
            out.append(String.format(Locale.ROOT, "| %s | %.3f | %.3f | %s |%n", cell.strategy(), perA, perB,
                    perB > 0 ? String.format(Locale.ROOT, "%.2f", perA / perB) : "–"));
        }
        Cell roundRobin = cells.get(0);
        Cell leastOutstanding = cells.get(1);
        Cell efficiency = cells.get(2);
        double gain = efficiency.tokensPerJoule() / roundRobin.tokensPerJoule() - 1;
        double gainOverLeast = efficiency.tokensPerJoule() / leastOutstanding.tokensPerJoule() - 1;
        boolean withinObjective = efficiency.p99() <= TTFT_OBJECTIVE.toMillis();
        boolean met = gain >= GOAL_GAIN && withinObjective && efficiency.errors() == 0;
        out.append(String.format(Locale.ROOT,
                "%nEfficiency against round robin: %+.1f %% tokens per joule (%.3f against %.3f); against"
                        + " least-outstanding: %+.1f %%.%n",
                gain * 100, efficiency.tokensPerJoule(), roundRobin.tokensPerJoule(), gainOverLeast * 100));
        out.append(String.format(Locale.ROOT,
                "Efficiency's p99 time to first token: %.0f ms, %s the %d ms objective; errors: %d.%n",
                efficiency.p99(), withinObjective ? "within" : "over", TTFT_OBJECTIVE.toMillis(), efficiency.errors()));
        out.append(String.format(Locale.ROOT,
                "%nGoal (≥ %.0f %% more tokens per joule than round robin, p99 time to first token within the"
                        + " objective, no errors): **%s**.%n",
                GOAL_GAIN * 100, met ? "PASS" : "FAIL"));
        out.append(ceiling(rate));
        return out.toString();
    }

    /**
     * What the simulator's own arithmetic allows at this rate, so a reader can tell the router from the physics: by
     * Little's law a node sent λ requests/s runs n = λ·T·(base + per·n) of them on average (T tokens each), and draws
     * idle + watts·n. Not measured; ignores the spread of the batch and the service's own delays.
     */
    static String ceiling(double rate) {
        double evenSplit = predicted(rate, 0.5);
        double allOnA = predicted(rate, 1.0);
        double best = Double.NEGATIVE_INFINITY;
        double bestShare = Double.NaN;
        for (int percent = 0; percent <= 100; percent++) {
            double tokensPerJoule = predicted(rate, percent / 100.0);
            if (tokensPerJoule > best) {
                best = tokensPerJoule;
                bestShare = percent / 100.0;
            }
        }
        if (Double.isNaN(evenSplit) || Double.isNaN(bestShare)) {
            return String.format(Locale.ROOT,
                    "%nFor reference: at %s requests/s an even split overloads the simulated nodes.%n", plain(rate));
        }
        return String.format(Locale.ROOT,
                "%nFor reference, the simulator's arithmetic at %s requests/s (not measured: mean batch by Little's"
                        + " law, power idle + watts × batch): an even split makes %.3f tokens/J, everything on A %s,"
                        + " the best split (%.0f %% on A) %.3f — at most %+.1f %% over an even split.%n",
                plain(rate), evenSplit,
                Double.isNaN(allOnA) ? "overloads A"
                        : String.format(Locale.ROOT, "%.3f (%+.1f %%)", allOnA, (allOnA / evenSplit - 1) * 100),
                bestShare * 100, best, (best / evenSplit - 1) * 100);
    }

    /** Factory-wide tokens per joule when the share {@code toA} of the arrivals goes to A; NaN when a node overloads. */
    static double predicted(double rate, double toA) {
        double batchA = meanBatch(NODE_A, rate * toA);
        double batchB = meanBatch(NODE_B, rate * (1 - toA));
        if (Double.isNaN(batchA) || Double.isNaN(batchB)) {
            return Double.NaN;
        }
        double watts = NODE_A.idleWatts() + NODE_A.wattsPerRequest() * batchA + NODE_B.idleWatts()
                + NODE_B.wattsPerRequest() * batchB;
        return rate * MAX_TOKENS / watts;
    }

    static double meanBatch(SimulatedGpuNode.Settings node, double rate) {
        double base = node.baseStep().toNanos() / 1e9;
        double per = node.stepPerRequest().toNanos() / 1e9;
        double room = 1 - rate * MAX_TOKENS * per;
        double batch = room > 0 ? rate * MAX_TOKENS * base / room : Double.NaN;
        return batch <= node.maxBatch() ? batch : Double.NaN;
    }

    static String plain(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }

    /**
     * One strategy's cell.
     *
     * @param requests sent in the measured seconds
     * @param ttft their times to first token, sorted (nanoseconds), the successful ones
     * @param usageTokens their completion tokens as the usage chunk reported them
     * @param windowTokens content chunks received in the measured seconds, by any request
     * @param served inference-service's request log: node → {requests, completion tokens}
     */
    record Cell(String strategy, double rate, double seconds, long requests, long errors, List<Long> ttft,
            long usageTokens, long withoutUsage, long windowTokens, double joulesA, double joulesB, double batchA,
            double batchB, Map<String, long[]> served) {

        double joules() {
            return joulesA + joulesB;
        }

        double tokensPerJoule() {
            return windowTokens / joules();
        }

        double p50() {
            return percentile(ttft, 0.50) / 1e6;
        }

        double p99() {
            return percentile(ttft, 0.99) / 1e6;
        }

        long requestsOn(String node) {
            long[] row = served.get(node);
            return row == null ? 0 : row[0];
        }

        long tokensOn(String node) {
            long[] row = served.get(node);
            return row == null ? 0 : row[1];
        }

        String row() {
            StringBuilder split = new StringBuilder(requestsOn("node-a") + " / " + requestsOn("node-b"));
            served.keySet()
                .stream()
                .filter(node -> !node.equals("node-a") && !node.equals("node-b"))
                .forEach(node -> split.append(" (+").append(served.get(node)[0]).append(" on ").append(node).append(')'));
            return String.format(Locale.ROOT,
                    "| %s | %s | %d | %d | %d | %d | %.0f | %.0f | %.0f | %.3f | %.0f | %.0f | %s | %.1f / %.1f |",
                    strategy, plain(rate), requests, errors, usageTokens, windowTokens, joulesA, joulesB, joules(),
                    tokensPerJoule(), p50(), p99(), split, batchA, batchB);
        }
    }

    /** The measured seconds, on System.nanoTime, and the content chunks received in them. */
    static final class Window {

        volatile long from = Long.MAX_VALUE;

        volatile long to = Long.MAX_VALUE;

        final AtomicLong tokens = new AtomicLong();

        void chunk(long at) {
            if (at >= from && at < to) {
                tokens.incrementAndGet();
            }
        }

    }

    /** The requests each node is running, sampled every 10 ms over the measured seconds. */
    static final class Sampler {

        final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "batch-sampler");
            thread.setDaemon(true);
            return thread;
        });

        final AtomicLong samples = new AtomicLong();

        final AtomicLong runningA = new AtomicLong();

        final AtomicLong runningB = new AtomicLong();

        static Sampler start(SimulatedGpuNode a, SimulatedGpuNode b) {
            Sampler sampler = new Sampler();
            sampler.timer.scheduleAtFixedRate(() -> {
                sampler.runningA.addAndGet(a.running());
                sampler.runningB.addAndGet(b.running());
                sampler.samples.incrementAndGet();
            }, 0, 10, TimeUnit.MILLISECONDS);
            return sampler;
        }

        void stop() throws InterruptedException {
            timer.shutdown();
            timer.awaitTermination(5, TimeUnit.SECONDS);
        }

        double meanA() {
            return samples.get() == 0 ? Double.NaN : (double) runningA.get() / samples.get();
        }

        double meanB() {
            return samples.get() == 0 ? Double.NaN : (double) runningB.get() / samples.get();
        }

    }

    /**
     * @param usageTokens completion tokens of the usage chunk; -1 when none came
     */
    record Result(int status, long firstTokenNanos, int chunks, long usageTokens) {
    }

    /**
     * One streamed chat completion with its usage: the time to its first content chunk, the chunks, and every chunk
     * counted into the window when it arrives in it.
     */
    static Result stream(String url, String token, String model, Window window) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("model", model);
        request.put("max_tokens", MAX_TOKENS);
        request.put("stream", true);
        request.put("stream_options", Map.of("include_usage", true));
        request.put("messages", List.of(Map.of("role", "user", "content", PROMPT)));
        HttpRequest http = HttpRequest.newBuilder(URI.create(url + "/v1/chat/completions"))
            .timeout(Duration.ofMinutes(3))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(request)))
            .build();
        long sent = System.nanoTime();
        try {
            HttpResponse<InputStream> response = HTTP.send(http, HttpResponse.BodyHandlers.ofInputStream());
            long first = -1;
            int chunks = 0;
            long usage = -1;
            try (BufferedReader lines = new BufferedReader(
                    new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    if (!line.startsWith("data:") || line.contains("[DONE]")) {
                        continue;
                    }
                    long at = System.nanoTime();
                    JsonNode chunk = JSON.readTree(line.substring(5).trim());
                    String content = chunk.at("/choices/0/delta/content").asString("");
                    if (!content.isEmpty()) {
                        if (first < 0) {
                            first = at - sent;
                        }
                        chunks++;
                        window.chunk(at);
                    }
                    JsonNode counts = chunk.path("usage");
                    if (counts.isObject() && counts.has("completion_tokens")) {
                        usage = counts.path("completion_tokens").asLong();
                    }
                }
            }
            return new Result(response.statusCode(), first, chunks, usage);
        }
        catch (IOException | RuntimeException e) {
            return new Result(-1, -1, 0, -1);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, -1, 0, -1);
        }
    }

    /** inference-service as a process of its own, serving one model per strategy on both nodes. */
    static final class Service implements AutoCloseable {

        final Process process;

        final String url;

        private Service(Process process, String url) {
            this.process = process;
            this.url = url;
        }

        static Service start(String classpath, Map<String, String> environment, SimulatedGpuNode a,
                SimulatedGpuNode b, Path work) throws Exception {
            int port = freePort();
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx1g", "-Dai.djl.offline=true", "-cp", classpath,
                    "io.tokenfactory.inference.InferenceServiceApplication", "--server.port=" + port));
            // the nodes, metered through their DCGM-format exporters; these replace the default list (the node this
            // service runs on is still declared implicitly, and serves nothing here)
            List<SimulatedGpuNode> nodes = List.of(a, b);
            List<String> names = List.of("node-a", "node-b");
            for (int i = 0; i < nodes.size(); i++) {
                String node = "--tokenfactory.nodes[" + i + "].";
                command.addAll(List.of(node + "name=" + names.get(i), node + "energy.source=dcgm",
                        node + "energy.url=" + nodes.get(i).metricsUrl(), node + "energy.interval=500ms"));
            }
            // one model per strategy, each with the same two deployments; these replace the default models
            for (int m = 0; m < STRATEGIES.size(); m++) {
                String strategy = STRATEGIES.get(m);
                String model = "--tokenfactory.inference.models[" + m + "].";
                command.addAll(List.of(model + "name=" + model(strategy), model + "task=generation",
                        model + "backend=remote", model + "context-length=8192", model + "max-output-tokens=2048",
                        model + "routing.strategy=" + strategy,
                        model + "routing.time-to-first-token-objective=" + TTFT_OBJECTIVE.toMillis() + "ms"));
                for (int d = 0; d < nodes.size(); d++) {
                    String deployment = model + "deployments[" + d + "].";
                    command.addAll(List.of(deployment + "name=" + model(strategy) + "-" + (d == 0 ? "a" : "b"),
                            deployment + "remote.base-url=" + nodes.get(d).baseUrl(),
                            deployment + "remote.upstream-model=simulated-llm",
                            deployment + "remote.node=" + names.get(d), deployment + "remote.max-concurrency=32"));
                }
            }
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(work.resolve("inference.log").toFile());
            builder.environment().putAll(environment);
            Process process = builder.start();
            // interrupted (Ctrl-C), the benchmark leaves no service running behind it
            Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
            String url = "http://127.0.0.1:" + port;
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            while (true) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("inference-service exited; see " + work);
                }
                try {
                    HttpResponse<String> ready = HTTP.send(
                            HttpRequest.newBuilder(URI.create(url + "/actuator/health/readiness")).build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (ready.statusCode() == 200) {
                        return new Service(process, url);
                    }
                }
                catch (IOException notYet) {
                    // starting
                }
                if (System.nanoTime() > deadline) {
                    process.destroyForcibly();
                    throw new IllegalStateException("inference-service did not become ready; see " + work);
                }
                pause(500);
            }
        }

        @Override
        public void close() throws Exception {
            process.destroy();
            if (!process.waitFor(40, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }

    }

    static void respond(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** An identity token as the gateway mints it for a department's inference key (no priority: interactive). */
    static String token(ECKey key, UUID department) throws Exception {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer("urn:tokenfactory:gateway")
            .audience("tokenfactory-services")
            .subject(UUID.randomUUID().toString())
            .issueTime(new Date())
            .expirationTime(new Date(System.currentTimeMillis() + Duration.ofHours(2).toMillis()))
            .claim("scope", "inference")
            .claim("key_id", UUID.randomUUID().toString())
            .claim("department_id", department.toString())
            .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).build(), claims);
        jwt.sign(new ECDSASigner(key));
        return jwt.serialize();
    }

    static double percentile(List<Long> sorted, double p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
