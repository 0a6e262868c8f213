package io.tokenfactory.inference.energy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;

import io.tokenfactory.inference.InferenceServiceApplication;
import io.tokenfactory.simulated.SimulatedGpuNode;
import io.tokenfactory.testsupport.HttpTestClient;
import io.tokenfactory.testsupport.ServiceIntegrationTest;
import io.tokenfactory.testsupport.TestInfrastructure;
import io.tokenfactory.testsupport.TestTokens;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Remote models on the SIMULATED GPU node (an OpenAI-compatible server and a DCGM-format
 * exporter whose counters follow its load): their requests get the node's measured
 * joules, split by their work in each metering window, and per window the requests'
 * joules plus idle energy are the exporter's counter delta — streamed, whole, cancelled,
 * concurrent, through a counter reset, an exporter outage, garbage, power-only exporters
 * and two replicas.
 */
@ServiceIntegrationTest
class RemoteNodeEnergyIntegrationTests {

    private static final SimulatedGpuNode NODE = SimulatedGpuNode
        .start(SimulatedGpuNode.Settings.defaults().withGpus(2));

    private static final String NODE_NAME = "simulated-gpu-node";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final Map<String, String> PROPERTIES = properties();

    @DynamicPropertySource
    static void simulatedNode(DynamicPropertyRegistry registry) {
        PROPERTIES.forEach((name, value) -> registry.add(name, () -> value));
    }

    private static Map<String, String> properties() {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("tokenfactory.nodes[0].name", NODE_NAME);
        properties.put("tokenfactory.nodes[0].node-class", "sim-h100");
        properties.put("tokenfactory.nodes[0].energy.source", "dcgm");
        properties.put("tokenfactory.nodes[0].energy.url", NODE.metricsUrl());
        properties.put("tokenfactory.nodes[0].energy.gpus", "0,1");
        properties.put("tokenfactory.nodes[0].energy.interval", "200ms");
        model(properties, 0, "simulated-llm", "simulated-llm", NODE_NAME, null);
        model(properties, 1, "simulated-llm-counted", "simulated-llm-no-usage", NODE_NAME,
                "classpath:all-minilm-l6-v2-tokenizer.json");
        model(properties, 2, "unmetered-llm", "simulated-llm", null, null);
        return properties;
    }

    private static void model(Map<String, String> properties, int index, String name, String upstream, String node,
            String tokenizer) {
        String prefix = "tokenfactory.inference.models[" + index + "].";
        properties.put(prefix + "name", name);
        properties.put(prefix + "task", "generation");
        properties.put(prefix + "backend", "remote");
        properties.put(prefix + "context-length", "8192");
        properties.put(prefix + "max-output-tokens", "2048");
        properties.put(prefix + "remote.base-url", NODE.baseUrl());
        properties.put(prefix + "remote.upstream-model", upstream);
        properties.put(prefix + "remote.timeout", "20s");
        if (node != null) {
            properties.put(prefix + "remote.node", node);
        }
        if (tokenizer != null) {
            properties.put(prefix + "remote.tokenizer", tokenizer);
        }
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    private final UUID department = UUID.randomUUID();

    @AfterAll
    static void stop() {
        NODE.close();
    }

    @BeforeEach
    void quiet() {
        NODE.exporter(SimulatedGpuNode.Exporter.NORMAL);
        // nothing of an earlier test may still run or wait for its energy
        await().atMost(Duration.ofSeconds(20))
            .until(() -> NODE.running() == 0
                    && jdbc.queryForObject("SELECT count(*) FROM inference_request WHERE energy_settled_at IS NULL",
                            Long.class) == 0);
    }

    @Test
    void streamedWholeCancelledAndConcurrentRequestsShareTheMeasuredEnergyByTheirWork() throws Exception {
        Instant from = Instant.now();
        List<CompletableFuture<String>> requests = new ArrayList<>();
        requests.add(async(() -> streamed(port, "simulated-llm", 30)));
        requests.add(async(() -> streamed(port, "simulated-llm", 10)));
        requests.add(async(() -> streamed(port, "simulated-llm", 20)));
        requests.add(async(() -> whole(port, "simulated-llm", 25)));
        requests.add(async(() -> whole(port, "simulated-llm", 25)));
        requests.add(async(() -> leaveAfterThreeChunks(port)));
        List<String> ids = requests.stream().map(CompletableFuture::join).toList();
        List<Map<String, Object>> rows = settled(ids);

        assertThat(rows).allSatisfy(row -> {
            assertThat(row.get("energy_source")).isEqualTo("DCGM");
            assertThat(((Number) row.get("energy_joules")).doubleValue()).isPositive();
            assertThat(((Number) row.get("accelerator_seconds")).doubleValue()).isPositive();
            assertThat(row.get("node")).isEqualTo(NODE_NAME);
            assertThat(row.get("node_class")).isEqualTo("sim-h100");
            assertThat(row.get("device")).isEqualTo("gpu0,gpu1");
            assertThat(((Number) row.get("energy_gap_seconds")).doubleValue()).isZero();
        });
        assertThat(rows.get(5).get("outcome")).isEqualTo("CANCELLED");
        assertThat(((Number) rows.get(5).get("completion_tokens")).intValue()).isBetween(1, 199);
        // thirty tokens drew more of the node's energy than ten did alongside them
        assertThat(joules(rows.get(0))).isGreaterThan(joules(rows.get(1)));
        assertBalanced(from, rows);
    }

    @Test
    void aCounterResetCreatesNoEnergyAndLosesAtMostTheWindowItHappenedIn() {
        Instant from = Instant.now();
        CompletableFuture<String> request = async(() -> streamed(port, "simulated-llm", 60));
        // the reset comes once the request has drawn measured energy in two windows
        await().atMost(Duration.ofSeconds(5)).until(() -> windowsSince(from, "requests > 0") >= 2);
        NODE.resetCounters();
        List<Map<String, Object>> rows = settled(List.of(request.join()));

        List<Map<String, Object>> windows = windows(from);
        assertThat(windows).anySatisfy(window -> assertThat((String) window.get("note")).contains("counter reset"));
        double measured = windows.stream().mapToDouble(RemoteNodeEnergyIntegrationTests::joules).sum();
        // what the GPUs truly drew over these windows, and of it what the reset's window
        // (and any window whose reading came late on a loaded machine) may lose
        double truth = NODE.trueJoules(start(windows.get(0)), end(windows.get(windows.size() - 1)));
        double losable = windows.stream()
            .filter(w -> !(Boolean) w.get("measured") || String.valueOf(w.get("note")).contains("counter reset"))
            .mapToDouble(w -> NODE.trueJoules(start(w), end(w)))
            .sum();
        assertThat(measured).isLessThanOrEqualTo(truth * 1.005).isGreaterThanOrEqualTo((truth - losable) * 0.995);
        // no window got the counter's jump: none holds more than its GPUs drew in it (a
        // window whose two ends fell nearest the same scrape, on a loaded machine, has no
        // truth of its own to compare: the GPUs draw idle power in every window)
        assertThat(windows.stream().filter(w -> NODE.trueJoules(start(w), end(w)) > 0)).allSatisfy(
                w -> assertThat(joules(w)).isLessThanOrEqualTo(NODE.trueJoules(start(w), end(w)) * 1.005 + 0.01));
        assertThat(joules(rows.get(0))).isPositive();
    }

    private static Instant start(Map<String, Object> window) {
        return ((Timestamp) window.get("window_start")).toInstant();
    }

    private static Instant end(Map<String, Object> window) {
        return ((Timestamp) window.get("window_end")).toInstant();
    }

    @Test
    void anExporterOutageIsALabelledGapNotZeroWattsAndItsRequestIsStillRecorded() {
        Instant from = Instant.now();
        CompletableFuture<String> request = async(() -> streamed(port, "simulated-llm", 80));
        await().atMost(Duration.ofSeconds(5)).until(() -> windowsSince(from, "requests > 0 AND measured") >= 1);
        NODE.exporter(SimulatedGpuNode.Exporter.DOWN);
        await().atMost(Duration.ofSeconds(5)).until(() -> windowsSince(from, "NOT measured") >= 2);
        NODE.exporter(SimulatedGpuNode.Exporter.NORMAL);
        Map<String, Object> row = settled(List.of(request.join())).get(0);

        assertThat(row.get("outcome")).isEqualTo("COMPLETED");
        assertThat(((Number) row.get("completion_tokens")).intValue()).isEqualTo(80);
        assertThat(row.get("energy_source")).isEqualTo("DCGM");
        assertThat(((Number) row.get("energy_gap_seconds")).doubleValue()).isGreaterThanOrEqualTo(0.4);
        List<Map<String, Object>> windows = windows(from);
        List<Map<String, Object>> gaps = windows.stream().filter(w -> !(Boolean) w.get("measured")).toList();
        assertThat(gaps).isNotEmpty().allSatisfy(gap -> {
            assertThat(joules(gap)).isZero();
            assertThat((String) gap.get("note")).contains("no meter reading");
        });
        // the counter still told what the GPUs drew across the outage: recorded,
        // measured, given to no request
        Map<String, Object> gap = jdbc.queryForMap("SELECT * FROM node_gap WHERE node = ? AND gap_start >= ?",
                NODE_NAME, Timestamp.from(from));
        double gapJoules = ((Number) gap.get("energy_joules")).doubleValue();
        assertThat(gap.get("busy")).isEqualTo(true);
        assertThat(gapJoules).isCloseTo(NODE.counterDeltaJoules(((Timestamp) gap.get("gap_start")).toInstant(),
                ((Timestamp) gap.get("gap_end")).toInstant()), within(0.01));
        double measuredWindows = windows.stream().mapToDouble(RemoteNodeEnergyIntegrationTests::joules).sum();
        assertThat(joules(row)).isLessThanOrEqualTo(measuredWindows * 1.005);
        assertThat(measuredWindows + gapJoules).isCloseTo(counterDelta(windows), within(counterDelta(windows) * 0.005));
    }

    @Test
    void anExporterAnsweringGarbageMakesGapsAndTheRequestsAreStillRecorded() {
        Instant from = Instant.now();
        CompletableFuture<String> request = async(() -> streamed(port, "simulated-llm", 60));
        await().atMost(Duration.ofSeconds(5)).until(() -> NODE.running() == 1);
        NODE.exporter(SimulatedGpuNode.Exporter.GARBAGE);
        await().atMost(Duration.ofSeconds(5)).until(() -> windowsSince(from, "NOT measured") >= 1);
        NODE.exporter(SimulatedGpuNode.Exporter.NORMAL);
        Map<String, Object> row = settled(List.of(request.join())).get(0);

        assertThat(row.get("outcome")).isEqualTo("COMPLETED");
        assertThat(((Number) row.get("energy_gap_seconds")).doubleValue()).isPositive();
        assertThat(windows(from)).anySatisfy(window -> {
            assertThat(window.get("measured")).isEqualTo(false);
            assertThat(joules(window)).isZero();
        });
    }

    @Test
    void anExporterWithoutTheEnergyCounterIsIntegratedFromItsPowerAndLabelledSo() {
        NODE.exporter(SimulatedGpuNode.Exporter.POWER_ONLY);
        // two windows in power mode, so the next request's windows are all integrated
        // power
        await().atMost(Duration.ofSeconds(5))
            .until(() -> jdbc.queryForObject(
                    "SELECT count(*) FROM node_window WHERE node = ? AND energy_source = 'DCGM_POWER'", Long.class,
                    NODE_NAME) >= 2);
        double before = NODE.energyJoules();
        String request = streamed(port, "simulated-llm", 40);
        double whileStreaming = NODE.energyJoules() - before;
        Map<String, Object> row = settled(List.of(request)).get(0);
        double untilSettled = NODE.energyJoules() - before;

        assertThat(row.get("energy_source")).isEqualTo("DCGM_POWER");
        // alone on the node, it gets the power integrated over its windows: about what
        // the GPUs drew meanwhile — at least while it streamed (its windows cover that),
        // at most until it was settled (however long a loaded machine took to settle it)
        assertThat(joules(row)).isBetween(whileStreaming * 0.7, untilSettled * 1.3);
    }

    @Test
    void twoReplicasServingFromOneNodeCountItsEnergyOnce() throws Exception {
        ConfigurableApplicationContext replica = new SpringApplicationBuilder(InferenceServiceApplication.class)
            .initializers(new TestInfrastructure())
            .run(arguments(PROPERTIES));
        try {
            int otherPort = Integer.parseInt(replica.getEnvironment().getProperty("local.server.port"));
            Instant from = Instant.now();
            List<CompletableFuture<String>> requests = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                requests.add(async(() -> streamed(port, "simulated-llm", 30)));
                requests.add(async(() -> streamed(otherPort, "simulated-llm", 30)));
            }
            requests.add(async(() -> whole(otherPort, "simulated-llm", 20)));
            List<Map<String, Object>> rows = settled(requests.stream().map(CompletableFuture::join).toList());

            assertThat(rows).allSatisfy(row -> assertThat(row.get("energy_source")).isEqualTo("DCGM"));
            assertBalanced(from, rows);
            // one replica owns the node's meter at a time: published power windows never
            // overlap
            await().atMost(Duration.ofSeconds(10))
                .until(() -> jdbc.queryForObject("SELECT count(*) FROM power_window WHERE node = ? AND window_end > ?",
                        Long.class, NODE_NAME, Timestamp.from(from)) > 0);
            assertThat(jdbc.queryForObject("""
                    SELECT count(*) FROM power_window a JOIN power_window b ON a.node = b.node
                        AND a.event_id <> b.event_id AND a.window_start < b.window_end AND b.window_start < a.window_end
                    WHERE a.node = ?""", Long.class, NODE_NAME)).isZero();
        }
        finally {
            replica.close();
        }
    }

    @Test
    void withoutReportedUsageTheModelsOwnTokenizerCountsTheTokens() throws Exception {
        JsonNode response = http(port).post("/v1/chat/completions", chat("simulated-llm-counted", 12, false)).getBody();
        String text = response.at("/choices/0/message/content").asString();
        Map<String, Object> row = settled(List.of(response.get("id").asString())).get(0);

        long expected;
        try (InputStream json = getClass().getResourceAsStream("/all-minilm-l6-v2-tokenizer.json");
                HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(json,
                        Map.of("addSpecialTokens", "false"))) {
            expected = tokenizer.encode(text).getIds().length;
        }
        assertThat(row.get("tokens_estimated")).isEqualTo(true);
        assertThat(((Number) row.get("completion_tokens")).longValue()).isEqualTo(expected)
            .isEqualTo(response.at("/usage/completion_tokens").asLong())
            .isNotEqualTo((text.getBytes(StandardCharsets.UTF_8).length + 3) / 4);
        assertThat(row.get("energy_source")).isEqualTo("DCGM");
    }

    @Test
    void aServerOnNoDeclaredNodeHasNoEnergyFigureAtAll() {
        JsonNode response = http(port).post("/v1/chat/completions", chat("unmetered-llm", 5, false)).getBody();
        Map<String, Object> row = settled(List.of(response.get("id").asString())).get(0);

        assertThat(row.get("energy_source")).isEqualTo("NONE");
        assertThat(joules(row)).isZero();
        assertThat(row.get("node")).isEqualTo("127.0.0.1");
    }

    /**
     * Over the windows since {@code from}: the requests' joules plus the idle windows'
     * energy equal the measured energy, which equals the exporter's own counter delta
     * over the measured windows, to 0.5 %. A window whose reading came late (a loaded
     * machine) is a labelled gap: no joules, and its requests carry gap seconds.
     */
    private void assertBalanced(Instant from, List<Map<String, Object>> rows) {
        List<Map<String, Object>> windows = windows(from);
        List<Map<String, Object>> measuredWindows = windows.stream()
            .filter(window -> (Boolean) window.get("measured"))
            .toList();
        List<Map<String, Object>> gaps = windows.stream().filter(window -> !(Boolean) window.get("measured")).toList();
        assertThat(measuredWindows).hasSizeGreaterThan(windows.size() / 2);
        assertThat(gaps).allSatisfy(window -> assertThat(joules(window)).isZero());
        if (gaps.stream().anyMatch(window -> ((Number) window.get("requests")).intValue() > 0)) {
            assertThat(rows)
                .anySatisfy(row -> assertThat(((Number) row.get("energy_gap_seconds")).doubleValue()).isPositive());
        }
        double measured = measuredWindows.stream().mapToDouble(RemoteNodeEnergyIntegrationTests::joules).sum();
        double idle = measuredWindows.stream()
            .filter(w -> ((Number) w.get("requests")).intValue() == 0)
            .mapToDouble(RemoteNodeEnergyIntegrationTests::joules)
            .sum();
        double requests = rows.stream().mapToDouble(RemoteNodeEnergyIntegrationTests::joules).sum();
        double counter = measuredWindows.stream()
            .mapToDouble(window -> NODE.counterDeltaJoules(start(window), end(window)))
            .sum();
        assertThat(requests + idle).isCloseTo(measured, within(measured * 0.005));
        assertThat(measured).isCloseTo(counter, within(counter * 0.005));
        assertThat(requests).isGreaterThan(idle);
    }

    private double counterDelta(List<Map<String, Object>> windows) {
        return NODE.counterDeltaJoules(start(windows.get(0)), end(windows.get(windows.size() - 1)));
    }

    /**
     * The node's settled windows from the one {@code from} falls in up to the last
     * settled one.
     */
    private List<Map<String, Object>> windows(Instant from) {
        return jdbc.queryForList("SELECT * FROM node_window WHERE node = ? AND window_end > ? ORDER BY window_start",
                NODE_NAME, Timestamp.from(from));
    }

    private long windowsSince(Instant from, String condition) {
        return jdbc.queryForObject(
                "SELECT count(*) FROM node_window WHERE node = ? AND window_start >= ? AND " + condition, Long.class,
                NODE_NAME, Timestamp.from(from));
    }

    private List<Map<String, Object>> settled(List<String> ids) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (String id : ids) {
            rows.add(await().atMost(Duration.ofSeconds(20))
                .until(() -> jdbc.queryForList("SELECT * FROM inference_request WHERE request_id = ?", id),
                        found -> found.size() == 1 && found.get(0).get("energy_settled_at") != null)
                .get(0));
        }
        return rows;
    }

    private static double joules(Map<String, Object> row) {
        return ((Number) row.get("energy_joules")).doubleValue();
    }

    private HttpTestClient http(int onPort) {
        return HttpTestClient.onPort(onPort).withToken(TestTokens.department(department, "inference"));
    }

    private String whole(int onPort, String model, int tokens) {
        return http(onPort).post("/v1/chat/completions", chat(model, tokens, false)).getBody().get("id").asString();
    }

    private String streamed(int onPort, String model, int tokens) {
        String events = http(onPort).postForText("/v1/chat/completions", chat(model, tokens, true)).getBody();
        assertThat(events).endsWith("data: [DONE]\n\n");
        String first = events.lines().filter(line -> line.startsWith("data: {")).findFirst().orElseThrow();
        return JSON.readTree(first.substring(6)).get("id").asString();
    }

    private String leaveAfterThreeChunks(int onPort) {
        try {
            HttpResponse<InputStream> response = HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(URI.create("http://localhost:" + onPort + "/v1/chat/completions"))
                    .header("Authorization", "Bearer " + TestTokens.department(department, "inference"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers
                        .ofString(JSON.writeValueAsString(chat("simulated-llm", 200, true))))
                    .build(), HttpResponse.BodyHandlers.ofInputStream());
            try (BufferedReader reader = new BufferedReader(
                    new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                String first = reader.readLine();
                for (int i = 0; i < 5; i++) {
                    reader.readLine();
                }
                return JSON.readTree(first.substring(5)).get("id").asString();
            }
        }
        catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Object> chat(String model, int tokens, boolean stream) {
        return Map.of("model", model, "stream", stream, "max_tokens", tokens, "messages",
                List.of(Map.of("role", "user", "content", "Tell the factory a short story.")));
    }

    private static <T> CompletableFuture<T> async(Supplier<T> request) {
        return CompletableFuture.supplyAsync(request, runnable -> {
            Thread thread = new Thread(runnable);
            thread.setDaemon(true);
            thread.start();
        });
    }

    /**
     * Command-line arguments outrank application.yml, whose node and model lists would
     * otherwise win.
     */
    private static String[] arguments(Map<String, String> properties) {
        List<String> arguments = new ArrayList<>(List.of("--server.port=0"));
        properties.forEach((name, value) -> arguments.add("--" + name + "=" + value));
        return arguments.toArray(String[]::new);
    }

}
