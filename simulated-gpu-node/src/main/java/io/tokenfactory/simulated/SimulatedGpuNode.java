package io.tokenfactory.simulated;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A SIMULATED GPU node, for development and tests only — never a measurement. It serves
 * an OpenAI-compatible API ({@code /v1/chat/completions}, {@code /v1/completions},
 * streamed or not, {@code /v1/models}) from a continuous-batching engine without a model
 * (engine-like timing: each step's delay grows with the batch; the text is filler words,
 * one token each), and a DCGM-exporter-format {@code /metrics} whose energy counters
 * follow the load: idle watts per GPU plus watts per running request. Every name it shows
 * says "simulated". Tests steer it: the exporter can go down, answer garbage, lose its
 * energy counter, or have its counters reset.
 *
 * <p>
 * Upstream model names ending in {@code -no-usage} get no token counts, like a server
 * that reports none.
 */
public final class SimulatedGpuNode implements AutoCloseable {

    static {
        // the JDK's server delays small responses by ~40 ms without it
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    /** What its DCGM exporter answers. */
    public enum Exporter {

        /**
         * Energy counters and power gauges, as DCGM exporter's default counters file has
         * them.
         */
        NORMAL,
        /**
         * Power gauges only: an exporter whose counters file lacks the energy counter.
         */
        POWER_ONLY,
        /** 503: the exporter is down. */
        DOWN,
        /** 200 with a body that is no exposition at all. */
        GARBAGE

    }

    /** How its OpenAI API fails, for tests of routing around a failing node. */
    public enum Failure {

        /** It answers. */
        NONE,
        /** 500 to every generation request, as an engine that lost its GPU. */
        SERVER_ERROR,
        /**
         * A stream breaks after its first two tokens: the connection ends without [DONE].
         */
        BREAK_AFTER_TWO_TOKENS

    }

    /**
     * @param port 0 for any free port
     * @param hostname the {@code Hostname} label of its metrics
     * @param gpus GPUs it has (each draws idle watts; requests' watts are shared among
     * them)
     * @param idleWatts per GPU with nothing running
     * @param wattsPerRequest added per running request (over all GPUs)
     * @param baseStep a decode step's delay with one request
     * @param stepPerRequest added to every step per running request
     * @param maxBatch requests decoded together; more wait
     */
    public record Settings(int port, String hostname, int gpus, double idleWatts, double wattsPerRequest,
            Duration baseStep, Duration stepPerRequest, int maxBatch) {

        public static Settings defaults() {
            return new Settings(0, "simulated-gpu-node", 1, 60, 40, Duration.ofMillis(20), Duration.ofMillis(2), 32);
        }

        public Settings withPort(int value) {
            return new Settings(value, hostname, gpus, idleWatts, wattsPerRequest, baseStep, stepPerRequest, maxBatch);
        }

        public Settings withGpus(int value) {
            return new Settings(port, hostname, value, idleWatts, wattsPerRequest, baseStep, stepPerRequest, maxBatch);
        }

        public Settings withStep(Duration base, Duration perRequest) {
            return new Settings(port, hostname, gpus, idleWatts, wattsPerRequest, base, perRequest, maxBatch);
        }
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Settings settings;

    private final SimulatedPower power;

    private final SimulatedEngine engine;

    private final HttpServer server;

    private final ExecutorService handlers;

    private volatile Exporter exporter = Exporter.NORMAL;

    private volatile Failure failure = Failure.NONE;

    private final java.util.concurrent.atomic.AtomicLong requests = new java.util.concurrent.atomic.AtomicLong();

    private final Deque<Scrape> scrapes = new ArrayDeque<>();

    /**
     * What one scrape of the energy counters answered: the instant, the counters (joules,
     * as served), and what the GPUs truly drew since start, across resets.
     */
    private record Scrape(Instant at, double joules, double trueJoules) {
    }

    private SimulatedGpuNode(Settings settings) throws IOException {
        this.settings = settings;
        this.power = new SimulatedPower(settings.gpus(), settings.idleWatts(), settings.wattsPerRequest());
        this.engine = new SimulatedEngine(power, settings.baseStep().toNanos() / 1000,
                settings.stepPerRequest().toNanos() / 1000, settings.maxBatch());
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", settings.port()), 256);
        this.handlers = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "simulated-gpu-node-http");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(handlers);
        server.createContext("/v1/chat/completions", exchange -> generate(exchange, true));
        server.createContext("/v1/completions", exchange -> generate(exchange, false));
        server.createContext("/v1/models", this::models);
        server.createContext("/metrics", this::metrics);
        server.start();
    }

    public static SimulatedGpuNode start(Settings settings) {
        try {
            return new SimulatedGpuNode(settings);
        }
        catch (IOException e) {
            throw new IllegalStateException("the simulated GPU node could not listen on port " + settings.port(), e);
        }
    }

    /**
     * Runs one until the process ends: {@code java ... SimulatedGpuNode [port] [gpus]}.
     */
    public static void main(String[] args) throws InterruptedException {
        Settings settings = Settings.defaults()
            .withPort(args.length > 0 ? Integer.parseInt(args[0]) : 9400)
            .withGpus(args.length > 1 ? Integer.parseInt(args[1]) : 1);
        SimulatedGpuNode node = start(settings);
        System.out.println("SIMULATED GPU node: OpenAI API at " + node.baseUrl() + ", DCGM-format metrics at "
                + node.metricsUrl());
        Thread.currentThread().join();
    }

    /** The OpenAI base URL, for example {@code http://127.0.0.1:9400/v1}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port() + "/v1";
    }

    public String metricsUrl() {
        return "http://127.0.0.1:" + port() + "/metrics";
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /**
     * The energy its GPUs drew since it started, in joules: the truth a test compares the
     * meter with.
     */
    public double energyJoules() {
        return power.totalJoules();
    }

    /** Requests the engine is generating for now. */
    public int running() {
        return engine.running();
    }

    /** Generation requests it received, answered or not. */
    public long requests() {
        return requests.get();
    }

    public void failure(Failure mode) {
        this.failure = mode;
    }

    public void exporter(Exporter mode) {
        this.exporter = mode;
    }

    /**
     * The exporter's own counter delta, all GPUs, between its scrapes nearest to
     * {@code from} and to {@code to}: what a reader of its counters must account for
     * between two of its readings.
     */
    public double counterDeltaJoules(Instant from, Instant to) {
        synchronized (scrapes) {
            return nearest(to).joules() - nearest(from).joules();
        }
    }

    /**
     * What the GPUs truly drew, all of them and across counter resets, between the
     * scrapes nearest to {@code from} and to {@code to}: what a reader of the counters
     * would have measured had nothing been lost.
     */
    public double trueJoules(Instant from, Instant to) {
        synchronized (scrapes) {
            return nearest(to).trueJoules() - nearest(from).trueJoules();
        }
    }

    private Scrape nearest(Instant at) {
        return scrapes.stream()
            .min(java.util.Comparator.comparing((Scrape scrape) -> Duration.between(scrape.at(), at).abs()))
            .orElseThrow(() -> new IllegalStateException("the exporter was never scraped"));
    }

    /** Starts every GPU's energy counter from zero, as a driver reload does. */
    public void resetCounters() {
        power.resetCounters();
    }

    private void models(HttpExchange exchange) throws IOException {
        try (exchange) {
            send(exchange, 200, "application/json", JSON.writeValueAsString(Map.of("object", "list", "data",
                    List.of(Map.of("id", "simulated-llm", "object", "model", "owned_by", "simulated")))));
        }
    }

    private void metrics(HttpExchange exchange) throws IOException {
        try (exchange) {
            switch (exporter) {
                case DOWN -> send(exchange, 503, "text/plain", "exporter down (simulated)\n");
                case GARBAGE -> send(exchange, 200, "text/plain", "<html>this is not an exposition</html>\n"
                        + "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{gpu=\"0\" garbage\n");
                default -> send(exchange, 200, "text/plain; version=0.0.4", exposition());
            }
        }
    }

    /**
     * The lines dcgm-exporter writes for these two fields (its label order; values
     * formatted as it does).
     */
    private String exposition() {
        StringBuilder text = new StringBuilder();
        double[] watts = power.watts();
        double[] joules = power.counterJoules();
        double trueJoules = power.totalJoules();
        text.append("# HELP DCGM_FI_DEV_POWER_USAGE Power draw (in W).\n# TYPE DCGM_FI_DEV_POWER_USAGE gauge\n");
        for (int gpu = 0; gpu < watts.length; gpu++) {
            text.append("DCGM_FI_DEV_POWER_USAGE")
                .append(labels(gpu))
                .append(' ')
                .append(String.format(Locale.ROOT, "%f", watts[gpu]))
                .append('\n');
        }
        if (exporter == Exporter.NORMAL) {
            text.append("# HELP DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION Total energy consumption since boot (in mJ).\n")
                .append("# TYPE DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION counter\n");
            double served = 0;
            for (int gpu = 0; gpu < joules.length; gpu++) {
                long millijoules = (long) Math.floor(joules[gpu] * 1000);
                served += millijoules / 1000.0;
                text.append("DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION")
                    .append(labels(gpu))
                    .append(' ')
                    .append(millijoules)
                    .append('\n');
            }
            synchronized (scrapes) {
                scrapes.add(new Scrape(Instant.now(), served, trueJoules));
                if (scrapes.size() > 100_000) {
                    scrapes.removeFirst();
                }
            }
        }
        return text.toString();
    }

    private String labels(int gpu) {
        return "{gpu=\"" + gpu + "\",UUID=\"GPU-5111a7ed-0000-4000-8000-00000000000" + gpu + "\",pci_bus_id=\"00000000:"
                + String.format(Locale.ROOT, "%02X", 0x18 + gpu) + ":00.0\",device=\"nvidia" + gpu
                + "\",modelName=\"Simulated H100 (Token Factory, not a GPU)\",Hostname=\"" + settings.hostname()
                + "\",DCGM_FI_DRIVER_VERSION=\"simulated\"}";
    }

    private void generate(HttpExchange exchange, boolean chat) throws IOException {
        try (exchange) {
            if (!"POST".equals(exchange.getRequestMethod())) {
                send(exchange, 405, "application/json", error("method not allowed"));
                return;
            }
            JsonNode request;
            try (InputStream in = exchange.getRequestBody()) {
                request = JSON.readTree(in.readAllBytes());
            }
            catch (RuntimeException unreadable) {
                send(exchange, 400, "application/json", error("the body is not JSON"));
                return;
            }
            requests.incrementAndGet();
            if (failure == Failure.SERVER_ERROR) {
                send(exchange, 500, "application/json", error("the engine failed (simulated)"));
                return;
            }
            String model = request.path("model").asString("simulated-llm");
            int promptTokens = chat ? words(request.path("messages")) : words(request.path("prompt"));
            int maxTokens = request.path("max_completion_tokens").asInt(request.path("max_tokens").asInt(16));
            if (maxTokens < 1) {
                send(exchange, 400, "application/json", error("max_tokens must be at least 1"));
                return;
            }
            boolean reportsUsage = !model.endsWith("-no-usage");
            SimulatedEngine.Sequence sequence = new SimulatedEngine.Sequence(promptTokens, maxTokens);
            engine.submit(sequence);
            String id = (chat ? "chatcmpl-sim" : "cmpl-sim") + UUID.randomUUID().toString().replace("-", "");
            if (request.path("stream").asBoolean(false)) {
                boolean includeUsage = reportsUsage
                        && request.path("stream_options").path("include_usage").asBoolean(false);
                stream(exchange, sequence, chat, id, model, includeUsage);
            }
            else {
                whole(exchange, sequence, chat, id, model, reportsUsage);
            }
        }
    }

    private void stream(HttpExchange exchange, SimulatedEngine.Sequence sequence, boolean chat, String id, String model,
            boolean includeUsage) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        try {
            if (chat) {
                event(out, chunk(id, model, chat, Map.of("role", "assistant", "content", ""), null));
            }
            int sent = 0;
            while (true) {
                String token = sequence.events.poll(30, TimeUnit.SECONDS);
                if (token == null || token.equals(SimulatedEngine.END)) {
                    break;
                }
                event(out, chunk(id, model, chat, chat ? Map.of("content", token) : token, null));
                if (++sent == 2 && failure == Failure.BREAK_AFTER_TWO_TOKENS) {
                    // the engine dies mid-stream: the connection ends without [DONE]
                    sequence.cancelled = true;
                    return;
                }
            }
            event(out, chunk(id, model, chat, chat ? Map.of() : "", "length"));
            if (includeUsage) {
                Map<String, Object> usageChunk = envelope(id, model,
                        chat ? "chat.completion.chunk" : "text_completion");
                usageChunk.put("choices", List.of());
                usageChunk.put("usage", usage(sequence));
                event(out, JSON.writeValueAsString(usageChunk));
            }
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
        catch (IOException clientLeft) {
            // the client closed the stream: the engine stops generating for it, as vLLM
            // aborts a request
            sequence.cancelled = true;
        }
        catch (InterruptedException e) {
            sequence.cancelled = true;
            Thread.currentThread().interrupt();
        }
    }

    private void whole(HttpExchange exchange, SimulatedEngine.Sequence sequence, boolean chat, String id, String model,
            boolean reportsUsage) throws IOException {
        StringBuilder text = new StringBuilder();
        try {
            while (true) {
                String token = sequence.events.poll(60, TimeUnit.SECONDS);
                if (token == null || token.equals(SimulatedEngine.END)) {
                    break;
                }
                text.append(token);
            }
        }
        catch (InterruptedException e) {
            sequence.cancelled = true;
            Thread.currentThread().interrupt();
            return;
        }
        Map<String, Object> choice = new LinkedHashMap<>();
        choice.put("index", 0);
        if (chat) {
            choice.put("message", Map.of("role", "assistant", "content", text.toString()));
        }
        else {
            choice.put("text", text.toString());
        }
        choice.put("finish_reason", "length");
        Map<String, Object> body = envelope(id, model, chat ? "chat.completion" : "text_completion");
        body.put("choices", List.of(choice));
        if (reportsUsage) {
            body.put("usage", usage(sequence));
        }
        send(exchange, 200, "application/json", JSON.writeValueAsString(body));
    }

    private static String chunk(String id, String model, boolean chat, Object delta, String finishReason) {
        Map<String, Object> choice = new LinkedHashMap<>();
        choice.put("index", 0);
        choice.put(chat ? "delta" : "text", delta);
        choice.put("finish_reason", finishReason);
        Map<String, Object> body = envelope(id, model, chat ? "chat.completion.chunk" : "text_completion");
        body.put("choices", List.of(choice));
        return JSON.writeValueAsString(body);
    }

    private static Map<String, Object> envelope(String id, String model, String object) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        body.put("object", object);
        body.put("created", System.currentTimeMillis() / 1000);
        body.put("model", model);
        return body;
    }

    private static Map<String, Object> usage(SimulatedEngine.Sequence sequence) {
        return Map.of("prompt_tokens", sequence.promptTokens, "completion_tokens", sequence.produced, "total_tokens",
                sequence.promptTokens + sequence.produced);
    }

    /**
     * The simulated tokenizer: one token per word of the text (of every message's
     * content).
     */
    private static int words(JsonNode content) {
        List<String> texts = new ArrayList<>();
        if (content.isString()) {
            texts.add(content.asString());
        }
        else if (content.isArray()) {
            for (JsonNode item : content) {
                texts.add(item.isString() ? item.asString() : item.path("content").asString(""));
            }
        }
        int words = 0;
        for (String text : texts) {
            String trimmed = text.strip();
            words += trimmed.isEmpty() ? 0 : trimmed.split("\\s+").length;
        }
        return Math.max(1, words);
    }

    private static void event(OutputStream out, String json) throws IOException {
        out.write(("data: " + json + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static String error(String message) {
        return JSON.writeValueAsString(Map.of("error",
                Map.of("message", message, "type", "invalid_request_error", "param", "", "code", "invalid_value")));
    }

    private static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
        engine.close();
        handlers.shutdownNow();
    }

}
