package io.tokenfactory.inference.power;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.tokenfactory.simulated.SimulatedGpuNode;
import io.tokenfactory.testsupport.HttpTestClient;
import io.tokenfactory.testsupport.ServiceIntegrationTest;
import io.tokenfactory.testsupport.TestTokens;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import tools.jackson.databind.JsonNode;

/**
 * A power cap below two simulated nodes' combined peak: under interactive and batch load
 * the draw the nodes' meters would measure stays under it (the largest overshoot and how
 * long it lasted are reported), interactive requests keep being served, and batch work is
 * deferred with 429 until there is headroom.
 */
// its simulated nodes stop with the class: its context (their meters, its outbox) goes
// too
@DirtiesContext
@ServiceIntegrationTest
class PowerCapIntegrationTests {

    private static final double IDLE_WATTS = 50;

    private static final double WATTS_PER_REQUEST = 50;

    private static final SimulatedGpuNode NODE_A = node("capped-a");

    private static final SimulatedGpuNode NODE_B = node("capped-b");

    /** Each node peaks at 50 + 8 × 50 = 450 W: 900 W together. */
    private static final double CAP_WATTS = 500;

    @DynamicPropertySource
    static void simulatedNodes(DynamicPropertyRegistry registry) {
        String[][] nodes = { { "capped-a", NODE_A.metricsUrl(), NODE_A.baseUrl() },
                { "capped-b", NODE_B.metricsUrl(), NODE_B.baseUrl() } };
        String model = "tokenfactory.inference.models[0].";
        registry.add(model + "name", () -> "capped-llm");
        registry.add(model + "task", () -> "generation");
        registry.add(model + "backend", () -> "remote");
        registry.add(model + "context-length", () -> "8192");
        registry.add(model + "max-output-tokens", () -> "2048");
        for (int i = 0; i < nodes.length; i++) {
            String[] node = nodes[i];
            String prefix = "tokenfactory.nodes[" + i + "].";
            registry.add(prefix + "name", () -> node[0]);
            registry.add(prefix + "site", () -> "hall-c");
            registry.add(prefix + "energy.source", () -> "dcgm");
            registry.add(prefix + "energy.url", () -> node[1]);
            registry.add(prefix + "energy.interval", () -> "200ms");
            String deployment = model + "deployments[" + i + "].";
            registry.add(deployment + "name", () -> "capped-" + node[0]);
            registry.add(deployment + "remote.base-url", () -> node[2]);
            registry.add(deployment + "remote.upstream-model", () -> "simulated-llm");
            registry.add(deployment + "remote.node", () -> node[0]);
            registry.add(deployment + "remote.max-concurrency", () -> "8");
        }
        registry.add("tokenfactory.inference.power.queue-timeout", () -> "30s");
        registry.add("tokenfactory.inference.power.retry-after", () -> "3s");
    }

    private static SimulatedGpuNode node(String hostname) {
        return SimulatedGpuNode.start(new SimulatedGpuNode.Settings(0, hostname, 1, IDLE_WATTS, WATTS_PER_REQUEST,
                Duration.ofMillis(20), Duration.ZERO, 32));
    }

    @LocalServerPort
    int port;

    private final UUID department = UUID.randomUUID();

    @AfterAll
    static void stop() {
        NODE_A.close();
        NODE_B.close();
    }

    @Autowired
    JdbcTemplate jdbc;

    @AfterEach
    void noCapAndEveryUsagePublished() {
        admin().delete("/api/inference/power-caps/factory");
        // the database outlives this class: its usage leaves no outbox work to the next
        await().atMost(Duration.ofSeconds(60)).until(() -> jdbc.queryForObject("""
                SELECT count(*) FROM event_publication WHERE completion_date IS NULL
                    AND serialized_event LIKE '%"model":"capped-llm"%'""", Long.class) == 0);
    }

    @Test
    void theDrawStaysUnderTheCapWhileInteractiveWorkIsServedAndBatchWorkWaits() throws Exception {
        assertThat(admin().put("/api/inference/power-caps/factory", Map.of("watts", CAP_WATTS)).getStatusCode().value())
            .isEqualTo(200);
        AtomicBoolean loading = new AtomicBoolean(true);
        AtomicInteger interactiveServed = new AtomicInteger();
        AtomicInteger interactiveFailed = new AtomicInteger();
        AtomicInteger batchServed = new AtomicInteger();
        ConcurrentLinkedQueue<ResponseEntity<JsonNode>> batchRefused = new ConcurrentLinkedQueue<>();
        List<Thread> clients = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            clients.add(daemon(() -> {
                while (loading.get()) {
                    String events = interactive().postForText("/v1/chat/completions", chat(30, true)).getBody();
                    (events != null && events.endsWith("data: [DONE]\n\n") ? interactiveServed : interactiveFailed)
                        .incrementAndGet();
                }
            }));
        }
        for (int i = 0; i < 4; i++) {
            clients.add(daemon(() -> {
                while (loading.get()) {
                    ResponseEntity<JsonNode> response = batch().post("/v1/chat/completions", chat(30, false));
                    if (response.getStatusCode().value() == 200) {
                        batchServed.incrementAndGet();
                    }
                    else {
                        batchRefused.add(response);
                        // as a well-behaved client does, though sooner than Retry-After
                        sleepQuietly(200);
                    }
                }
            }));
        }
        // the nodes' true draw, in the meters' 200 ms windows
        List<Double> windows = new ArrayList<>();
        double previous = NODE_A.energyJoules() + NODE_B.energyJoules();
        long previousNanos = System.nanoTime();
        long end = previousNanos + Duration.ofSeconds(8).toNanos();
        while (System.nanoTime() < end) {
            sleepQuietly(200);
            double joules = NODE_A.energyJoules() + NODE_B.energyJoules();
            long now = System.nanoTime();
            windows.add((joules - previous) / ((now - previousNanos) / 1e9));
            previous = joules;
            previousNanos = now;
        }
        JsonNode caps = admin().get("/api/inference/power-caps").getBody();
        loading.set(false);
        for (Thread client : clients) {
            client.join(60_000);
        }

        double peak = windows.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        long over = windows.stream().filter(watts -> watts > CAP_WATTS + 0.5).count();
        System.out.printf("Power cap %.0f W over two nodes peaking at %.0f W: mean draw %.1f W, highest 200 ms draw "
                + "%.1f W (overshoot %.1f W), %d of %d windows over the cap (%.1f s); interactive served %d, failed %d; "
                + "batch served %d, deferred %d%n", CAP_WATTS, 2 * (IDLE_WATTS + 8 * WATTS_PER_REQUEST),
                windows.stream().mapToDouble(Double::doubleValue).average().orElseThrow(), peak,
                Math.max(0, peak - CAP_WATTS), over, windows.size(), over * 0.2, interactiveServed.get(),
                interactiveFailed.get(), batchServed.get(), batchRefused.size());
        // the cap is nearly used: this is a load that needs it
        assertThat(peak).isGreaterThan(CAP_WATTS * 0.8);
        // held: on average under it, and over it in few windows (this service counts
        // requests a moment apart from the engine, on a starved CPU more so: the peak is
        // reported above, not bounded). A cap ignored draws 900 W most of the time
        assertThat(windows.stream().mapToDouble(Double::doubleValue).average().orElseThrow())
            .isLessThanOrEqualTo(CAP_WATTS * 1.01);
        assertThat(over).isLessThanOrEqualTo(windows.size() / 4);
        assertThat(interactiveServed.get()).isGreaterThan(20);
        assertThat(interactiveFailed.get()).isZero();
        assertThat(batchRefused).isNotEmpty().allSatisfy(refused -> {
            assertThat(refused.getStatusCode().value()).isEqualTo(429);
            assertThat(refused.getHeaders().getFirst("Retry-After")).isEqualTo("3");
            assertThat(refused.getBody().get("error").get("code").asString()).isEqualTo("power_cap");
            assertThat(refused.getBody().get("error").get("message").asString())
                .contains("power cap of the factory (500 W)");
        });
        JsonNode cap = caps.get("caps").get(0);
        assertThat(cap.get("scope").asString()).isEqualTo("factory");
        assertThat(cap.get("watts").asDouble()).isEqualTo(CAP_WATTS);
        assertThat(cap.get("drawWatts").asDouble()).isGreaterThan(IDLE_WATTS * 2);
        assertThat(cap.get("state").asString()).isIn("DEFERRING_BATCH", "QUEUEING");
        assertThat(caps.get("draw").valueStream().map(d -> d.get("scope").asString())).contains("factory", "site",
                "node");

        // once interactive work is done, batch work runs
        await().atMost(Duration.ofSeconds(20))
            .until(() -> batch().post("/v1/chat/completions", chat(4, false)).getStatusCode().value() == 200);
        String metrics = HttpTestClient.onPort(port).getText("/actuator/prometheus").getBody();
        assertThat(metrics).containsPattern(
                "tokenfactory_inference_power_held_total\\{[^}]*outcome=\"deferred\"[^}]*priority=\"batch\"");
        assertThat(metrics)
            .contains("tokenfactory_inference_power_cap_watts{name=\"factory\",scope=\"factory\"} 500.0");
    }

    @Test
    void capsAreSetReadAndRemovedByAdministratorsOnlyAndNonsenseIsRefused() {
        ResponseEntity<JsonNode> site = admin().put("/api/inference/power-caps/site/hall-c", Map.of("watts", 700));
        assertThat(site.getStatusCode().value()).isEqualTo(200);
        assertThat(site.getBody().get("name").asString()).isEqualTo("hall-c");
        assertThat(admin().put("/api/inference/power-caps/node/capped-a", Map.of("watts", 300)).getStatusCode().value())
            .isEqualTo(200);
        assertThat(admin().get("/api/inference/power-caps").getBody().get("caps")).hasSize(2);

        assertThat(problem(admin().put("/api/inference/power-caps/node/nowhere", Map.of("watts", 300)), 422))
            .isEqualTo("unknown_node");
        assertThat(problem(admin().put("/api/inference/power-caps/site/nowhere", Map.of("watts", 300)), 422))
            .isEqualTo("unknown_site");
        assertThat(problem(admin().put("/api/inference/power-caps/factory", Map.of("watts", -5)), 422))
            .isEqualTo("invalid_power_cap");
        assertThat(problem(admin().put("/api/inference/power-caps/planet", Map.of("watts", 5)), 404))
            .isEqualTo("unknown_power_scope");
        assertThat(problem(admin().delete("/api/inference/power-caps/factory"), 404)).isEqualTo("power_cap_not_found");
        assertThat(interactive().put("/api/inference/power-caps/factory", Map.of("watts", 5)).getStatusCode().value())
            .isEqualTo(403);

        assertThat(admin().delete("/api/inference/power-caps/site/hall-c").getStatusCode().value()).isEqualTo(204);
        assertThat(admin().delete("/api/inference/power-caps/node/capped-a").getStatusCode().value()).isEqualTo(204);
        assertThat(admin().get("/api/inference/power-caps").getBody().get("caps")).isEmpty();
    }

    private static String problem(ResponseEntity<JsonNode> response, int status) {
        assertThat(response.getStatusCode().value()).isEqualTo(status);
        return response.getBody().get("code").asString();
    }

    private HttpTestClient interactive() {
        return HttpTestClient.onPort(port).withToken(TestTokens.department(department, "inference"));
    }

    private HttpTestClient batch() {
        return HttpTestClient.onPort(port).withToken(TestTokens.department(department, "inference", "batch"));
    }

    private HttpTestClient admin() {
        return HttpTestClient.onPort(port).asAdmin();
    }

    private static Map<String, Object> chat(int tokens, boolean stream) {
        return Map.of("model", "capped-llm", "stream", stream, "max_tokens", tokens, "messages",
                List.of(Map.of("role", "user", "content", "Stay under the cap.")));
    }

    private static Thread daemon(Runnable work) {
        Thread thread = new Thread(work);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
