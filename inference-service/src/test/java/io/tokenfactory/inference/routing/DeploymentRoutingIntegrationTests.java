package io.tokenfactory.inference.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import com.sun.net.httpserver.HttpServer;

import io.tokenfactory.simulated.SimulatedGpuNode;
import io.tokenfactory.testsupport.HttpTestClient;
import io.tokenfactory.testsupport.ServiceIntegrationTest;
import io.tokenfactory.testsupport.TestTokens;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One model, several simulated GPU nodes: each strategy sends traffic as it says, a node
 * that fails is routed around without a client error and its circuit opens, a slow node
 * stops getting work under latency routing, and a stream is retried on another deployment
 * only before its first token.
 */
// its simulated nodes stop with the class: its context (their meters, its outbox) goes
// too
@DirtiesContext
@ServiceIntegrationTest
class DeploymentRoutingIntegrationTests {

    /** Fast and frugal. */
    private static final SimulatedGpuNode FAST = SimulatedFactory.start("node-fast", 20, 60, Duration.ofMillis(10));

    /** As fast, four times the watts per request: a quarter of the tokens per joule. */
    private static final SimulatedGpuNode HUNGRY = SimulatedFactory.start("node-hungry", 40, 240,
            Duration.ofMillis(10));

    /** Frugal but slow: fifteen times the step. */
    private static final SimulatedGpuNode SLOW = SimulatedFactory.start("node-slow", 20, 60, Duration.ofMillis(150));

    /** Fails on demand. */
    private static final SimulatedGpuNode FLAKY = SimulatedFactory.start("node-flaky", 20, 60, Duration.ofMillis(10));

    /**
     * Billing's rates as billing-service publishes them: the hungry node's time is dear.
     */
    private static final HttpServer BILLING = billing("""
            tokenfactory_billing_node_energy_price{currency="EUR",node="*"} 0.30
            tokenfactory_billing_node_capacity_rate{currency="EUR",node="*"} 2.0
            tokenfactory_billing_node_capacity_rate{currency="EUR",node="node-hungry"} 12.0
            """);

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final Map<String, String> PROPERTIES = properties();

    @DynamicPropertySource
    static void simulatedNodes(DynamicPropertyRegistry registry) {
        PROPERTIES.forEach((name, value) -> registry.add(name, () -> value));
    }

    private static Map<String, String> properties() {
        Duration objective = Duration.ofSeconds(1);
        return new SimulatedFactory().node("node-fast", FAST, "hall-a")
            .node("node-hungry", HUNGRY, "hall-a")
            .node("node-slow", SLOW, "hall-b")
            .node("node-flaky", FLAKY, "hall-b")
            .model("lo-llm", "least-outstanding", objective, d("lo-fast", "node-fast", FAST),
                    d("lo-hungry", "node-hungry", HUNGRY))
            .model("rr-llm", "round-robin", objective, d("rr-fast", "node-fast", FAST).weight(2),
                    d("rr-hungry", "node-hungry", HUNGRY))
            .model("latency-llm", "latency", objective, d("latency-fast", "node-fast", FAST),
                    d("latency-slow", "node-slow", SLOW))
            .model("efficiency-llm", "efficiency", objective, d("efficiency-hungry", "node-hungry", HUNGRY),
                    d("efficiency-fast", "node-fast", FAST))
            .model("cost-llm", "cost", objective, d("cost-hungry", "node-hungry", HUNGRY),
                    d("cost-fast", "node-fast", FAST))
            .model("priority-llm", "priority", objective, d("priority-fast", "node-fast", FAST).priority(1),
                    d("priority-flaky", "node-flaky", FLAKY).priority(0))
            .model("stream-llm", "priority", objective, d("stream-flaky", "node-flaky", FLAKY).priority(0),
                    d("stream-fast", "node-fast", FAST).priority(1))
            // a local model that also runs on a server: its engine is one of its
            // deployments
            .property("tokenfactory.inference.models[7].name", "mixed-llm")
            .property("tokenfactory.inference.models[7].task", "generation")
            .property("tokenfactory.inference.models[7].backend", "local")
            .property("tokenfactory.inference.models[7].location", "classpath:models/byte-lm-moby/model.tfbt")
            .property("tokenfactory.inference.models[7].context-length", "256")
            .property("tokenfactory.inference.models[7].max-output-tokens", "64")
            .property("tokenfactory.inference.models[7].routing.strategy", "round-robin")
            .property("tokenfactory.inference.models[7].deployments[0].name", "mixed-here")
            .property("tokenfactory.inference.models[7].deployments[0].backend", "local")
            .property("tokenfactory.inference.models[7].deployments[1].name", "mixed-fast")
            .property("tokenfactory.inference.models[7].deployments[1].remote.base-url", FAST.baseUrl())
            .property("tokenfactory.inference.models[7].deployments[1].remote.upstream-model", "simulated-llm")
            .property("tokenfactory.inference.models[7].deployments[1].remote.node", "node-fast")
            .property("tokenfactory.inference.router.warm-up", "3")
            .property("tokenfactory.inference.router.rates-url",
                    "http://127.0.0.1:" + BILLING.getAddress().getPort() + "/actuator/prometheus")
            .property("tokenfactory.inference.router.rates-refresh", "1s")
            .properties();
    }

    private static SimulatedFactory.Deployment d(String name, String node, SimulatedGpuNode server) {
        return SimulatedFactory.Deployment.of(name, node, server);
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    private final UUID department = UUID.randomUUID();

    @AfterAll
    static void stop() {
        List.of(FAST, HUNGRY, SLOW, FLAKY).forEach(SimulatedGpuNode::close);
        BILLING.stop(0);
    }

    @BeforeEach
    void healthy() {
        FLAKY.failure(SimulatedGpuNode.Failure.NONE);
    }

    @AfterEach
    void everyUsagePublished() {
        // the database outlives this class: its usage leaves no outbox work to the next
        await().atMost(Duration.ofSeconds(60))
            .until(() -> jdbc.queryForObject("""
                    SELECT count(*) FROM event_publication WHERE completion_date IS NULL
                        AND serialized_event ~ '"model":"(lo|rr|latency|efficiency|cost|priority|stream|mixed)-llm"'""",
                    Long.class) == 0);
    }

    @Test
    void leastOutstandingSpreadsConcurrentWorkAndEveryRequestNamesItsDeploymentAndNode() {
        List<CompletableFuture<ResponseEntity<JsonNode>>> requests = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            requests.add(async(() -> whole("lo-llm", 40)));
        }
        requests.forEach(request -> assertThat(request.join().getStatusCode().value()).isEqualTo(200));

        Map<String, Long> served = servedByDeployment("lo-llm");
        assertThat(served.keySet()).containsExactlyInAnyOrder("lo-fast", "lo-hungry");
        assertThat(served.values()).allSatisfy(count -> assertThat(count).isGreaterThanOrEqualTo(2));
        assertThat(jdbc.queryForList("SELECT deployment, node FROM inference_request WHERE model = 'lo-llm'"))
            .allSatisfy(row -> assertThat(row.get("node"))
                .isEqualTo(row.get("deployment").equals("lo-fast") ? "node-fast" : "node-hungry"));
    }

    @Test
    void roundRobinFollowsTheWeights() {
        for (int i = 0; i < 30; i++) {
            assertThat(whole("rr-llm", 2).getStatusCode().value()).isEqualTo(200);
        }

        assertThat(servedByDeployment("rr-llm")).containsEntry("rr-fast", 20L).containsEntry("rr-hungry", 10L);
    }

    @Test
    void aLocalModelsOwnEngineIsOneOfItsDeployments() {
        for (int i = 0; i < 4; i++) {
            assertThat(whole("mixed-llm", 4).getStatusCode().value()).isEqualTo(200);
        }

        assertThat(servedByDeployment("mixed-llm")).containsEntry("mixed-here", 2L).containsEntry("mixed-fast", 2L);
        assertThat(jdbc.queryForList("SELECT DISTINCT deployment, node, backend FROM inference_request "
                + "WHERE model = 'mixed-llm' ORDER BY deployment"))
            .containsExactly(Map.of("deployment", "mixed-fast", "node", "node-fast", "backend", "remote"),
                    Map.of("deployment", "mixed-here", "node", "local", "backend", "djl"));
        ResponseEntity<JsonNode> models = http().get("/v1/models");
        assertThat(models.getBody().get("data").valueStream().filter(m -> m.get("id").asString().equals("mixed-llm")))
            .hasSize(1);
    }

    @Test
    void aSlowNodeStopsReceivingTrafficUnderLatency() {
        warmUp("latency-llm", 10);
        long slowBefore = SLOW.requests();

        for (int i = 0; i < 20; i++) {
            assertThat(whole("latency-llm", 4).getStatusCode().value()).isEqualTo(200);
        }

        assertThat(SLOW.requests()).isEqualTo(slowBefore);
    }

    @Test
    void efficiencySendsWorkToTheNodeThatMakesTheMostTokensPerJoule() {
        warmUp("efficiency-llm", 10);
        long hungryBefore = HUNGRY.requests();
        long fastBefore = FAST.requests();

        for (int i = 0; i < 20; i++) {
            assertThat(whole("efficiency-llm", 8).getStatusCode().value()).isEqualTo(200);
        }

        assertThat(HUNGRY.requests()).isEqualTo(hungryBefore);
        assertThat(FAST.requests() - fastBefore).isGreaterThanOrEqualTo(20);
    }

    @Test
    void costSendsWorkToTheCheapestTokensAtBillingsRates() {
        warmUp("cost-llm", 10);
        long hungryBefore = HUNGRY.requests();

        for (int i = 0; i < 20; i++) {
            assertThat(whole("cost-llm", 8).getStatusCode().value()).isEqualTo(200);
        }

        assertThat(HUNGRY.requests()).isEqualTo(hungryBefore);
        JsonNode capacity = admin().get("/api/inference/capacity?window=1h").getBody();
        JsonNode fast = deployment(capacity, "cost-fast");
        JsonNode hungry = deployment(capacity, "cost-hungry");
        assertThat(fast.get("costPerToken").asDouble()).isPositive().isLessThan(hungry.get("costPerToken").asDouble());
        assertThat(capacity.get("currency").asString()).isEqualTo("EUR");
    }

    @Test
    void aNodeGoingDownIsRoutedAroundWithNoClientErrorAndItsCircuitOpens() {
        for (int i = 0; i < 3; i++) {
            assertThat(whole("priority-llm", 2).getStatusCode().value()).isEqualTo(200);
        }
        assertThat(servedByDeployment("priority-llm")).containsOnlyKeys("priority-flaky");

        FLAKY.failure(SimulatedGpuNode.Failure.SERVER_ERROR);
        for (int i = 0; i < 10; i++) {
            assertThat(whole("priority-llm", 2).getStatusCode().value()).isEqualTo(200);
        }
        await().atMost(Duration.ofSeconds(10))
            .until(() -> deployment(admin().get("/api/inference/capacity").getBody(), "priority-flaky").get("circuit")
                .asString(), "OPEN"::equals);
        long flakyBefore = FLAKY.requests();
        for (int i = 0; i < 10; i++) {
            assertThat(whole("priority-llm", 2).getStatusCode().value()).isEqualTo(200);
        }

        // an open circuit is not even tried
        assertThat(FLAKY.requests()).isEqualTo(flakyBefore);
        assertThat(servedByDeployment("priority-llm").get("priority-fast")).isEqualTo(20L);
    }

    @Test
    void aStreamIsRetriedElsewhereBeforeItsFirstTokenAndNeverAfter() {
        FLAKY.failure(SimulatedGpuNode.Failure.SERVER_ERROR);
        String retried = http().postForText("/v1/chat/completions", chat("stream-llm", 12, true)).getBody();
        assertThat(retried).endsWith("data: [DONE]\n\n");
        assertThat(contentTokens(retried)).isEqualTo(12);

        FLAKY.failure(SimulatedGpuNode.Failure.BREAK_AFTER_TWO_TOKENS);
        long fastBefore = FAST.requests();
        String broken = http().postForText("/v1/chat/completions", chat("stream-llm", 12, true)).getBody();

        // the two tokens the client had stay the only ones: nothing is sent again
        assertThat(contentTokens(broken)).isEqualTo(2);
        assertThat(broken).doesNotContain("[DONE]");
        assertThat(FAST.requests()).isEqualTo(fastBefore);
    }

    @Test
    void aRemoteStreamReachesTheClientTokenByTokenNotInBufferfuls() throws Exception {
        HttpResponse<InputStream> response = HttpClient.newHttpClient()
            .send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + TestTokens.department(department, "inference"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(chat("lo-llm", 64, true))))
                .build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = response.body()) {
            byte[] first = new byte[65536];
            int read = in.read(first);
            String rest = new String(in.readAllBytes(), StandardCharsets.UTF_8);

            // 64 tokens take at least 640 ms upstream: the first read holds the first
            // few,
            // not the servlet container's 8 KB buffer
            assertThat(read).isPositive().isLessThan(4000);
            assertThat(new String(first, 0, read, StandardCharsets.UTF_8)).doesNotContain("[DONE]");
            assertThat(rest).endsWith("data: [DONE]\n\n");
        }
    }

    @Test
    void theCapacityViewNamesEveryNodeAndDeploymentAndRefusesAnUnknownWindow() {
        // a meter's first window has no reading at its start: wait for a measured request
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            assertThat(whole("lo-llm", 4).getStatusCode().value()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(10))
                .until(() -> jdbc.queryForObject(
                        "SELECT count(*) FROM inference_request WHERE model = 'lo-llm' AND energy_settled_at IS NULL",
                        Long.class) == 0);
            return jdbc.queryForObject("""
                    SELECT energy_source FROM inference_request WHERE model = 'lo-llm'
                    ORDER BY completed_at DESC LIMIT 1""", String.class).equals("DCGM");
        });

        JsonNode day = admin().get("/api/inference/capacity?window=1d").getBody();
        assertThat(day.get("window").asString()).isEqualTo("1d");
        List<String> nodes = new ArrayList<>();
        day.get("nodes").forEach(node -> nodes.add(node.get("node").asString()));
        assertThat(nodes).contains("node-fast", "node-hungry", "node-slow", "node-flaky");
        String servedBy = jdbc.queryForObject(
                "SELECT node FROM inference_request WHERE model = 'lo-llm' ORDER BY completed_at DESC LIMIT 1",
                String.class);
        JsonNode fast = day.get("nodes")
            .valueStream()
            .filter(n -> n.get("node").asString().equals(servedBy))
            .findFirst()
            .orElseThrow();
        assertThat(fast.get("site").asString()).isEqualTo("hall-a");
        assertThat(fast.get("requests").asLong()).isPositive();
        assertThat(fast.get("busyShare").asDouble()).isBetween(0.0, 1.0).isPositive();
        assertThat(fast.get("tokensPerJoule").asDouble()).isPositive();
        // at least the node's idle 20 W, give or take the counter's millijoules
        assertThat(fast.get("drawWatts").asDouble()).isGreaterThan(19.0);
        JsonNode lo = deployment(day, "lo-fast");
        assertThat(lo.get("model").asString()).isEqualTo("lo-llm");
        assertThat(lo.get("node").asString()).isEqualTo("node-fast");
        assertThat(lo.get("strategy").asString()).isEqualTo("least-outstanding");
        assertThat(lo.get("circuit").asString()).isEqualTo("CLOSED");

        ResponseEntity<JsonNode> refused = admin().get("/api/inference/capacity?window=1w");
        assertThat(refused.getStatusCode().value()).isEqualTo(422);
        assertThat(refused.getBody().get("code").asString()).isEqualTo("invalid_window");
        assertThat(http().get("/api/inference/capacity").getStatusCode().value()).isEqualTo(403);
    }

    /**
     * Sends requests one at a time until every deployment's moving averages are trusted.
     */
    private void warmUp(String model, int requests) {
        for (int i = 0; i < requests; i++) {
            assertThat(whole(model, 8).getStatusCode().value()).isEqualTo(200);
        }
        await().atMost(Duration.ofSeconds(10))
            .until(() -> jdbc.queryForObject(
                    "SELECT count(*) FROM inference_request WHERE model = ? AND energy_settled_at IS NULL", Long.class,
                    model) == 0);
    }

    private Map<String, Long> servedByDeployment(String model) {
        Map<String, Long> served = new java.util.TreeMap<>();
        jdbc.query("SELECT deployment, count(*) AS n FROM inference_request WHERE model = ? GROUP BY deployment",
                (java.sql.ResultSet row) -> {
                    served.put(row.getString("deployment"), row.getLong("n"));
                }, model);
        return served;
    }

    private static JsonNode deployment(JsonNode capacity, String name) {
        return capacity.get("deployments")
            .valueStream()
            .filter(d -> d.get("deployment").asString().equals(name))
            .findFirst()
            .orElseThrow();
    }

    private static int contentTokens(String events) {
        int tokens = 0;
        for (String line : events.lines().toList()) {
            if (line.startsWith("data: {")) {
                String content = JSON.readTree(line.substring(6))
                    .path("choices")
                    .path(0)
                    .path("delta")
                    .path("content")
                    .asString("");
                if (!content.isEmpty()) {
                    tokens++;
                }
            }
        }
        return tokens;
    }

    private ResponseEntity<JsonNode> whole(String model, int tokens) {
        return http().post("/v1/chat/completions", chat(model, tokens, false));
    }

    private HttpTestClient http() {
        return HttpTestClient.onPort(port).withToken(TestTokens.department(department, "inference"));
    }

    private HttpTestClient admin() {
        return HttpTestClient.onPort(port).asAdmin();
    }

    private static Map<String, Object> chat(String model, int tokens, boolean stream) {
        return Map.of("model", model, "stream", stream, "max_tokens", tokens, "messages",
                List.of(Map.of("role", "user", "content", "Route me well.")));
    }

    private static <T> CompletableFuture<T> async(Supplier<T> request) {
        return CompletableFuture.supplyAsync(request, runnable -> {
            Thread thread = new Thread(runnable);
            thread.setDaemon(true);
            thread.start();
        });
    }

    private static HttpServer billing(String exposition) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
            server.createContext("/actuator/prometheus", exchange -> {
                byte[] body = exposition.getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            server.start();
            return server;
        }
        catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

}
