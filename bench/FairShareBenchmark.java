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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
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

import org.slf4j.LoggerFactory;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A fair share of the factory, measured through inference-service's HTTP API: department A floods at concurrency 32
 * (streamed requests back to back), department B sends one interactive streamed request at a time with a short
 * pause between them, and B's time to first token (request sent to first content chunk received) is measured
 * (a) with B alone, (b) while A floods with fair queuing on and (c) while A floods with fair queuing off (first come,
 * first served), all in one run, inference-service restarted between (b) and (c) with only the switch changed.
 *
 * Backends: "remote" (the default) puts a stub OpenAI server behind inference-service as a remote model whose
 * concurrency inference-service limits to 16: it streams at a fixed pace whatever its load, so what B waits for is
 * inference-service's queue and nothing else. "local" uses the shipped byte model on the local engine (max batch 16),
 * where B's first token also waits for a busy CPU.
 *
 * Everything runs on this machine: an embedded PostgreSQL (fsync off) and AMQP broker, a JWK set for identity tokens
 * the way the gateway mints them, the stub, inference-service as its own JVM and the clients.
 *
 * Run with bench/fair-share.sh; arguments: seconds per cell, output file, backend, file holding inference-service's
 * class path.
 */
public class FairShareBenchmark {

    static final int FLOOD = 32;

    static final int SLOTS = 16;

    /** Each cell's time is split into rounds, the cells taking turns. */
    static final int ROUNDS = 3;

    /** The stub's time to first token and time per token: an 8B-class model on one GPU. */
    static final int STUB_FIRST_TOKEN_MS = 50;

    static final int STUB_TOKEN_MS = 20;

    /**
     * B asks for one token: its stream ends with its first token, so B's client sees that token when the server sends
     * it, and the figure times the queue and nothing else.
     */
    static final int B_TOKENS = 1;

    static final JsonMapper JSON = JsonMapper.builder().build();

    static final HttpClient HTTP = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .executor(Executors.newCachedThreadPool())
        .build();

    public static void main(String[] args) throws Exception {
        // the stub answers in small writes: without this each would wait for the last one's acknowledgement
        System.setProperty("sun.net.httpserver.nodelay", "true");
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(Level.WARN);
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 60;
        Path output = args.length > 1 ? Path.of(args[1]) : null;
        String backend = args.length > 2 ? args[2] : "remote";
        String classpath = Files.readString(Path.of(args[3])).trim();
        if (!backend.equals("remote") && !backend.equals("local")) {
            throw new IllegalArgumentException("backend must be remote or local, not " + backend);
        }
        Path work = Files.createTempDirectory("fair-share-bench");
        ECKey key = new ECKeyGenerator(Curve.P_256).keyID("bench-gateway").generate();
        HttpServer jwks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        String jwkSet = new JWKSet(key.toPublicJWK()).toString();
        jwks.createContext("/.well-known/jwks.json", exchange -> respond(exchange, 200, "application/json", jwkSet));
        jwks.start();
        HttpServer stub = stub();
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        String tokenA = token(key, a);
        String tokenB = token(key, b);
        String model = backend.equals("remote") ? "stub-llm" : "byte-lm-moby";
        // A's completions vary in length, as real ones do, so slots come free at different times
        int[] aTokens = backend.equals("remote") ? new int[] { 32, 96 } : new int[] { 32, 128 };
        try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.startEphemeral();
                EmbeddedAmqpBroker broker = EmbeddedAmqpBroker.start(0)) {
            try (Connection maintenance = postgres.connectToMaintenanceDatabase()) {
                Databases.createIfMissing(maintenance, "tf_bench_fair_on");
                Databases.createIfMissing(maintenance, "tf_bench_fair_off");
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
            String stubUrl = "http://127.0.0.1:" + stub.getAddress().getPort() + "/v1";
            String loadBefore = Files.readString(Path.of("/proc/loadavg")).trim();
            // both at once, each on its own database, so that the cells can take turns: this machine's other work
            // then weighs on every cell alike
            try (Service on = Service.start(classpath, environment, "tf_bench_fair_on", stubUrl, true, work);
                    Service off = Service.start(classpath, environment, "tf_bench_fair_off", stubUrl, false, work)) {
                Load fair = new Load(on.url, model, tokenA, tokenB, aTokens, b);
                Load fifo = new Load(off.url, model, tokenA, tokenB, aTokens, b);
                fair.run(true, Math.min(10, seconds / 3));
                fifo.run(true, Math.min(10, seconds / 3));
                Cell alone = Cell.NONE;
                Cell withFair = Cell.NONE;
                Cell withoutFair = Cell.NONE;
                for (int round = 0; round < ROUNDS; round++) {
                    alone = alone.and(fair.run(false, seconds / ROUNDS));
                    withFair = withFair.and(fair.run(true, seconds / ROUNDS));
                    withoutFair = withoutFair.and(fifo.run(true, seconds / ROUNDS));
                }
                String loadAfter = Files.readString(Path.of("/proc/loadavg")).trim();
                String report = report(backend, seconds, alone, withFair, withoutFair, loadBefore, loadAfter);
                System.out.print(report);
                if (output != null) {
                    Files.writeString(output, report);
                }
            }
        }
        finally {
            stub.stop(0);
            jwks.stop(0);
        }
        // the services' logs are kept only when something went wrong
        try (var files = Files.walk(work)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
        System.exit(0);
    }

    static String report(String backend, double seconds, Cell alone, Cell fair, Cell fifo, String loadBefore,
            String loadAfter) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "# Fair share — B's time to first token while A floods (%s)%n%n",
                java.time.LocalDate.now()));
        if (backend.equals("remote")) {
            out.append(String.format(Locale.ROOT,
                    "Backend: a remote stub OpenAI server (first token after %d ms, then one token every %d ms, whatever"
                            + " its load) behind inference-service with `remote.max-concurrency` %d, `queue-capacity` 64."
                            + " B waits only for inference-service's admission.%n",
                    STUB_FIRST_TOKEN_MS, STUB_TOKEN_MS, SLOTS));
        }
        else {
            out.append("Backend: the shipped byte model on inference-service's local engine (max batch 16, queue 64),"
                    + " on this machine's CPU: B's first token also waits for a busy engine.\n");
        }
        out.append(String.format(Locale.ROOT,
                "A: %d clients, streamed requests back to back (%s completion tokens); B: one interactive streamed request"
                        + " at a time (%d token), 50–150 ms apart; %.0f s per cell in %d rounds, the cells taking turns, after"
                        + " a warm-up; %d cores, load average %s before and %s after (/proc/loadavg); time to first token ="
                        + " request sent → first content chunk received; B's queue wait = inference-service's own"
                        + " `tokenfactory_inference_queue_wait_seconds` histogram for B over the cell (the bucket bound it"
                        + " fell under).%n%n",
                FLOOD, backend.equals("remote") ? "32–96" : "32–128", B_TOKENS, seconds, ROUNDS,
                Runtime.getRuntime().availableProcessors(), loadBefore.split(" ")[0], loadAfter.split(" ")[0]));
        out.append("| cell | B p50 TTFT ms | B p99 TTFT ms | B queue wait p50 ms | B queue wait p99 ms | B requests | B refused"
                + " | A requests/s | A tokens/s | A refused |\n");
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        out.append(alone.row("(a) B alone"));
        out.append(fair.row("(b) A floods, fair queuing on"));
        out.append(fifo.row("(c) A floods, fair queuing off (first come, first served)"));
        double ratio = fair.p99() / alone.p99();
        out.append(String.format(Locale.ROOT,
                "%nB's p99 with fair queuing: %.2f× B alone (goal ≤ 2×: %s); without: %.2f× B alone.%n", ratio,
                ratio <= 2 ? "met" : "not met", fifo.p99() / alone.p99()));
        return out.toString();
    }

    /**
     * One cell: B's times to first token (sorted), what A got meanwhile, and B's waits in inference-service's queue
     * as its histogram counted them (bucket upper bound in seconds → requests at or below it).
     */
    record Cell(List<Long> ttft, int bRefused, long aRequests, long aTokens, long aRefused, double seconds,
            java.util.TreeMap<Double, Long> waits) {

        static final Cell NONE = new Cell(List.of(), 0, 0, 0, 0, 0, new java.util.TreeMap<>());

        Cell and(Cell other) {
            List<Long> all = new ArrayList<>(ttft);
            all.addAll(other.ttft);
            Collections.sort(all);
            java.util.TreeMap<Double, Long> allWaits = new java.util.TreeMap<>(waits);
            other.waits.forEach((bound, count) -> allWaits.merge(bound, count, Long::sum));
            return new Cell(all, bRefused + other.bRefused, aRequests + other.aRequests, aTokens + other.aTokens,
                    aRefused + other.aRefused, seconds + other.seconds, allWaits);
        }

        double p50() {
            return percentile(ttft, 0.50) / 1e6;
        }

        double p99() {
            return percentile(ttft, 0.99) / 1e6;
        }

        /** The histogram's bucket bound (ms) below which the share q of B's queue waits fell. */
        String wait(double q) {
            long total = waits.getOrDefault(Double.POSITIVE_INFINITY, 0L);
            if (total == 0) {
                return "–";
            }
            for (Map.Entry<Double, Long> bucket : waits.entrySet()) {
                if (bucket.getValue() >= q * total) {
                    return bucket.getKey().isInfinite() ? "> max" : String.format(Locale.ROOT, "≤ %.0f", bucket.getKey() * 1000);
                }
            }
            return "–";
        }

        String row(String name) {
            return String.format(Locale.ROOT, "| %s | %.0f | %.0f | %s | %s | %d | %d | %.1f | %.0f | %d |%n", name,
                    p50(), p99(), wait(0.50), wait(0.99), ttft.size(), bRefused, aRequests / seconds, aTokens / seconds,
                    aRefused);
        }
    }

    /** A's flood and B's requests against one inference-service. */
    static final class Load {

        final String url;

        final String model;

        final String tokenA;

        final String tokenB;

        final int[] aTokens;

        final UUID b;

        Load(String url, String model, String tokenA, String tokenB, int[] aTokens, UUID b) {
            this.url = url;
            this.model = model;
            this.tokenA = tokenA;
            this.tokenB = tokenB;
            this.aTokens = aTokens;
            this.b = b;
        }

        /**
         * inference-service's own count of B's waits in its queue, by histogram bucket (upper bound in seconds →
         * requests at or below it).
         */
        java.util.TreeMap<Double, Long> bWaits() throws Exception {
            String metrics = HTTP
                .send(HttpRequest.newBuilder(URI.create(url + "/actuator/prometheus")).build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
            java.util.TreeMap<Double, Long> buckets = new java.util.TreeMap<>();
            java.util.regex.Pattern le = java.util.regex.Pattern.compile("le=\"([^\"]+)\"\\} ([0-9.E+]+)");
            metrics.lines()
                .filter(line -> line.startsWith("tokenfactory_inference_queue_wait_seconds_bucket{")
                        && line.contains("department=\"" + b + "\"") && line.contains("model=\"" + model + "\""))
                .forEach(line -> {
                    java.util.regex.Matcher m = le.matcher(line);
                    if (m.find()) {
                        double bound = m.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY
                                : Double.parseDouble(m.group(1));
                        buckets.merge(bound, (long) Double.parseDouble(m.group(2)), Long::sum);
                    }
                });
            return buckets;
        }

        Cell run(boolean flood, double seconds) throws Exception {
            java.util.TreeMap<Double, Long> waitsBefore = bWaits();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong aRequests = new AtomicLong();
            AtomicLong aTokensServed = new AtomicLong();
            AtomicLong aRefused = new AtomicLong();
            AtomicBoolean measuring = new AtomicBoolean();
            CountDownLatch flooders = new CountDownLatch(flood ? FLOOD : 0);
            for (int c = 0; flood && c < FLOOD; c++) {
                Random random = new Random(c);
                Thread thread = new Thread(() -> {
                    while (!stop.get()) {
                        int tokens = aTokens[0] + random.nextInt(aTokens[1] - aTokens[0] + 1);
                        Result result = stream(tokenA, "Call me Ishmael. Some years ago", tokens);
                        if (measuring.get() && result.status == 200) {
                            aRequests.incrementAndGet();
                            aTokensServed.addAndGet(result.chunks);
                        }
                        else if (result.status != 200) {
                            aRefused.incrementAndGet();
                            pause(200);
                        }
                    }
                    flooders.countDown();
                }, "flood-" + c);
                thread.setDaemon(true);
                thread.start();
            }
            if (flood) {
                // the flood reaches its steady state: slots full, a queue behind them
                Thread.sleep(3000);
            }
            measuring.set(true);
            List<Long> ttft = new ArrayList<>();
            int bRefused = 0;
            Random think = new Random(42);
            long start = System.nanoTime();
            long deadline = start + (long) (seconds * 1e9);
            while (System.nanoTime() < deadline) {
                Result result = stream(tokenB, "The whale rose from the sea and", B_TOKENS);
                if (result.status == 200 && result.firstTokenNanos > 0) {
                    ttft.add(result.firstTokenNanos);
                }
                else {
                    bRefused++;
                }
                pause(50 + think.nextInt(101));
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            measuring.set(false);
            stop.set(true);
            flooders.await();
            Collections.sort(ttft);
            java.util.TreeMap<Double, Long> waits = bWaits();
            waitsBefore.forEach((bound, count) -> waits.merge(bound, -count, Long::sum));
            return new Cell(ttft, bRefused, aRequests.get(), aTokensServed.get(), aRefused.get(), elapsed, waits);
        }

        /** One streamed chat completion; the time to its first content chunk and the chunks it brought. */
        Result stream(String token, String prompt, int maxTokens) {
            String body = JSON.writeValueAsString(Map.of("model", model, "max_tokens", maxTokens, "temperature", 0.8,
                    "stream", true, "messages", List.of(Map.of("role", "user", "content", prompt))));
            HttpRequest request = HttpRequest.newBuilder(URI.create(url + "/v1/chat/completions"))
                .timeout(Duration.ofMinutes(3))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
            long sent = System.nanoTime();
            try {
                HttpResponse<InputStream> response = HTTP.send(request, HttpResponse.BodyHandlers.ofInputStream());
                long first = -1;
                int chunks = 0;
                try (BufferedReader lines = new BufferedReader(
                        new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = lines.readLine()) != null) {
                        if (!line.startsWith("data:") || line.contains("[DONE]")) {
                            continue;
                        }
                        JsonNode chunk = JSON.readTree(line.substring(5).trim());
                        String content = chunk.at("/choices/0/delta/content").asString("");
                        if (!content.isEmpty()) {
                            if (first < 0) {
                                first = System.nanoTime() - sent;
                            }
                            chunks++;
                        }
                    }
                }
                return new Result(response.statusCode(), first, chunks);
            }
            catch (IOException | RuntimeException e) {
                return new Result(-1, -1, 0);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Result(-1, -1, 0);
            }
        }

    }

    record Result(int status, long firstTokenNanos, int chunks) {
    }

    /** inference-service as a process of its own, with fair queuing on or off. */
    static final class Service implements AutoCloseable {

        final Process process;

        final String url;

        private Service(Process process, String url) {
            this.process = process;
            this.url = url;
        }

        static Service start(String classpath, Map<String, String> environment, String database, String stubUrl,
                boolean fair, Path work) throws Exception {
            int port = freePort();
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx1g", "-Dai.djl.offline=true", "-cp", classpath,
                    "io.tokenfactory.inference.InferenceServiceApplication", "--server.port=" + port,
                    "--tokenfactory.inference.fair-share.enabled=" + fair));
            String local = "--tokenfactory.inference.models[0].";
            command.addAll(List.of(local + "name=byte-lm-moby", local + "task=generation", local + "backend=local",
                    local + "location=classpath:models/byte-lm-moby/model.tfbt", local + "context-length=256",
                    local + "max-output-tokens=255", local + "max-batch=16", local + "queue-capacity=64"));
            String remote = "--tokenfactory.inference.models[1].";
            command.addAll(List.of(remote + "name=stub-llm", remote + "task=generation", remote + "backend=remote",
                    remote + "context-length=8192", remote + "max-output-tokens=1024",
                    remote + "remote.base-url=" + stubUrl, remote + "remote.upstream-model=stub",
                    remote + "remote.max-concurrency=" + SLOTS, remote + "remote.queue-capacity=64",
                    remote + "remote.queue-timeout=120s", remote + "remote.timeout=60s"));
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(work.resolve("inference-" + (fair ? "fair" : "fifo") + ".log").toFile());
            builder.environment().putAll(environment);
            builder.environment().put("TF_INFERENCE_DATABASE", database);
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
            if (!process.waitFor(40, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }

    }

    /**
     * A remote model server that streams a completion of max_tokens tokens, the first after STUB_FIRST_TOKEN_MS and
     * one every STUB_TOKEN_MS after it, with its usage last, however many it serves at once.
     */
    static HttpServer stub() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/v1/chat/completions", exchange -> {
            JsonNode request = JSON.readTree(exchange.getRequestBody().readAllBytes());
            int tokens = request.path("max_tokens").asInt(16);
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                pause(STUB_FIRST_TOKEN_MS);
                for (int i = 0; i < tokens; i++) {
                    if (i > 0) {
                        pause(STUB_TOKEN_MS);
                    }
                    event(out, Map.of("id", "stub", "object", "chat.completion.chunk", "created", 1, "model", "stub",
                            "choices", List.of(Map.of("index", 0, "delta", Map.of("content", "tok ")))));
                }
                event(out, Map.of("id", "stub", "object", "chat.completion.chunk", "created", 1, "model", "stub",
                        "choices", List.of(Map.of("index", 0, "delta", Map.of(), "finish_reason", "length"))));
                event(out, Map.of("id", "stub", "object", "chat.completion.chunk", "created", 1, "model", "stub",
                        "choices", List.of(), "usage",
                        Map.of("prompt_tokens", 8, "completion_tokens", tokens, "total_tokens", 8 + tokens)));
                out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
            catch (IOException clientLeft) {
                // inference-service closed the stream
            }
        });
        server.start();
        return server;
    }

    static void event(OutputStream out, Object chunk) throws IOException {
        out.write(("data: " + JSON.writeValueAsString(chunk) + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
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
