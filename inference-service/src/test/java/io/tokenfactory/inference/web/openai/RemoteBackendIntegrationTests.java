package io.tokenfactory.inference.web.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tokenfactory.testsupport.HttpTestClient;
import io.tokenfactory.testsupport.ServiceIntegrationTest;
import io.tokenfactory.testsupport.TestTokens;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Remote OpenAI-compatible backends (a stub server at the edge), their circuit breakers
 * and fallbacks.
 */
@ServiceIntegrationTest
class RemoteBackendIntegrationTests {

    private static final StubOpenAiServer STUB = new StubOpenAiServer();

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @DynamicPropertySource
    static void models(DynamicPropertyRegistry registry) {
        model(registry, 0, "byte-lm-moby", "local", null, null);
        registry.add("tokenfactory.inference.models[0].location", () -> "classpath:models/byte-lm-moby/model.tfbt");
        model(registry, 1, "remote-llm", "remote", STUB.baseUrl(), "upstream-llm");
        registry.add("tokenfactory.inference.models[1].remote.fallback-model", () -> "byte-lm-moby");
        model(registry, 2, "remote-no-usage", "remote", STUB.baseUrl(), "no-usage");
        model(registry, 3, "remote-down", "remote", "http://127.0.0.1:" + closedPort() + "/v1", null);
        model(registry, 4, "tiny-queue", "local", null, null);
        registry.add("tokenfactory.inference.models[4].location", () -> "classpath:models/byte-lm-moby/model.tfbt");
        registry.add("tokenfactory.inference.models[4].max-batch", () -> "1");
        registry.add("tokenfactory.inference.models[4].queue-capacity", () -> "1");
        registry.add("tokenfactory.inference.models[4].max-output-tokens", () -> "255");
    }

    private static void model(DynamicPropertyRegistry registry, int index, String name, String backend, String url,
            String upstream) {
        String prefix = "tokenfactory.inference.models[" + index + "].";
        registry.add(prefix + "name", () -> name);
        registry.add(prefix + "task", () -> "generation");
        registry.add(prefix + "backend", () -> backend);
        if (url != null) {
            registry.add(prefix + "remote.base-url", () -> url);
            registry.add(prefix + "remote.timeout", () -> "5s");
            registry.add(prefix + "remote.open-for", () -> "1h");
            registry.add(prefix + "context-length", () -> "8192");
            registry.add(prefix + "max-output-tokens", () -> "2048");
        }
        if (upstream != null) {
            registry.add(prefix + "remote.upstream-model", () -> upstream);
        }
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    private final UUID department = UUID.randomUUID();

    @AfterAll
    static void stop() {
        STUB.close();
    }

    private HttpTestClient http() {
        return HttpTestClient.onPort(port).withToken(TestTokens.department(department, "inference"));
    }

    @Test
    void passesThroughUnderItsOwnNameAndRecordsTheReportedUsage() {
        ResponseEntity<JsonNode> response = http().post("/v1/chat/completions", chat("remote-llm", false));

        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(response.getBody().get("model").asString()).isEqualTo("remote-llm");
        assertThat(response.getBody().at("/choices/0/message/content").asString()).isEqualTo(StubOpenAiServer.TEXT);
        assertThat(STUB.received).last()
            .satisfies(sent -> assertThat(sent.get("model").asString()).isEqualTo("upstream-llm"));
        // a server on no declared node has no energy figure: its usage says so, never 0 J
        // measured
        Map<String, Object> row = await().atMost(Duration.ofSeconds(5))
            .until(this::latestRow, latest -> latest.get("energy_settled_at") != null);
        assertThat(row).containsEntry("backend", "remote")
            .containsEntry("energy_source", "NONE")
            .containsEntry("tokens_estimated", false)
            .containsEntry("node", "127.0.0.1");
        assertThat(((Number) row.get("prompt_tokens")).longValue()).isEqualTo(11);
        assertThat(((Number) row.get("completion_tokens")).longValue()).isEqualTo(7);
    }

    @Test
    void theRequestsTraceReachesTheEngineAndStaysWithItsUsage() {
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        ResponseEntity<JsonNode> response = http().postWithHeaders("/v1/chat/completions", chat("remote-llm", false),
                Map.of("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01"));

        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
        // a child of inference-service's span for the request, not the caller's span
        assertThat(STUB.traceparents).last()
            .asString()
            .startsWith("00-" + traceId + "-")
            .doesNotContain("00f067aa0ba902b7");
        Map<String, Object> row = await().atMost(Duration.ofSeconds(5))
            .until(this::latestRow, latest -> latest.get("energy_settled_at") != null);
        assertThat((String) row.get("traceparent")).startsWith("00-" + traceId + "-").endsWith("-01");
    }

    @Test
    void streamsThroughAndAsksUpstreamForUsageEvenWhenTheClientDoesNot() {
        ResponseEntity<String> response = http().postForText("/v1/chat/completions", chat("remote-llm", true));

        List<String> events = OpenAiApiIntegrationTests.dataLines(response.getBody());
        assertThat(events).last().isEqualTo("[DONE]");
        assertThat(events).noneMatch(event -> event.contains("usage"));
        StringBuilder text = new StringBuilder();
        events.subList(0, events.size() - 1).forEach(event -> {
            JsonNode chunk = JSON.readTree(event);
            assertThat(chunk.get("model").asString()).isEqualTo("remote-llm");
            text.append(chunk.at("/choices/0/delta/content").asString(""));
        });
        assertThat(text.toString()).isEqualTo(StubOpenAiServer.TEXT);
        assertThat(STUB.received).last()
            .satisfies(sent -> assertThat(sent.at("/stream_options/include_usage").asBoolean()).isTrue());
        await().atMost(Duration.ofSeconds(5))
            .untilAsserted(() -> assertThat(((Number) latestRow().get("completion_tokens")).longValue()).isEqualTo(7));
    }

    @Test
    void countsTokensItselfAndFlagsThemWhenTheServerReportsNone() {
        ResponseEntity<JsonNode> response = http().post("/v1/chat/completions", chat("remote-no-usage", false));

        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(response.getBody().at("/usage/completion_tokens").asInt())
            .isEqualTo((StubOpenAiServer.TEXT.length() + 3) / 4);
        Map<String, Object> row = latestRow();
        assertThat(row).containsEntry("tokens_estimated", true);
        assertThat(((Number) row.get("completion_tokens")).longValue())
            .isEqualTo((StubOpenAiServer.TEXT.length() + 3) / 4);
    }

    @Test
    void aClientErrorFromTheServerPassesThroughAndDoesNotTripTheBreaker() {
        Map<String, Object> request = Map.of("model", "remote-llm", "max_tokens", 1500, "messages",
                List.of(Map.of("role", "user", "content", "hi")));
        for (int i = 0; i < 6; i++) {
            ResponseEntity<JsonNode> response = http().post("/v1/chat/completions", request);
            assertThat(response.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
            assertThat(response.getBody().at("/error/message").asString()).isEqualTo("max_tokens too large");
        }
        assertThat(http().post("/v1/chat/completions", chat("remote-llm", false)).getBody().get("model").asString())
            .isEqualTo("remote-llm");
    }

    @Test
    void anUnreachableServerWithoutFallbackGets502ThenTheOpenCircuitAnswers503AtOnce() {
        List<HttpStatus> statuses = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            statuses.add(HttpStatus
                .valueOf(http().post("/v1/chat/completions", chat("remote-down", false)).getStatusCode().value()));
        }
        assertThat(statuses.subList(0, 5)).containsOnly(HttpStatus.BAD_GATEWAY);
        ResponseEntity<JsonNode> open = http().post("/v1/chat/completions", chat("remote-down", false));
        assertThat(open.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
        assertThat(open.getBody().at("/error/code").asString()).isEqualTo("upstream_circuit_open");
        assertThat(open.getHeaders().getFirst("Retry-After")).isNotBlank();
    }

    @Test
    void aFailingServerIsReplacedByItsFallbackModelAndThenLeftAlone() {
        STUB.failing.set(true);
        try {
            boolean circuitOpened = false;
            for (int i = 0; i < 40 && !circuitOpened; i++) {
                int callsBefore = STUB.received.size();
                ResponseEntity<JsonNode> response = http().post("/v1/chat/completions", chat("remote-llm", false));
                assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
                assertThat(response.getBody().get("model").asString()).isEqualTo("byte-lm-moby");
                circuitOpened = STUB.received.size() == callsBefore;
            }
            assertThat(circuitOpened).as("the circuit opens, and then nothing is sent upstream").isTrue();
        }
        finally {
            STUB.failing.set(false);
        }
    }

    @Test
    void aFullQueueGets429WithRetryAfter() {
        List<ResponseEntity<JsonNode>> responses = Collections.synchronizedList(new ArrayList<>());
        List<Thread> clients = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Thread client = new Thread(() -> responses.add(
                    http().post("/v1/completions", Map.of("model", "tiny-queue", "prompt", "The", "max_tokens", 250))));
            client.start();
            clients.add(client);
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> responses.size() == 6);
        List<ResponseEntity<JsonNode>> refused = responses.stream()
            .filter(r -> r.getStatusCode() == HttpStatus.TOO_MANY_REQUESTS)
            .toList();
        assertThat(refused).isNotEmpty();
        assertThat(refused.get(0).getHeaders().getFirst("Retry-After")).isEqualTo("1");
        assertThat(refused.get(0).getBody().at("/error/code").asString()).isEqualTo("queue_full");
        assertThat(responses).filteredOn(r -> r.getStatusCode() == HttpStatus.OK).hasSizeGreaterThanOrEqualTo(2);
    }

    private Map<String, Object> latestRow() {
        return jdbc.queryForMap(
                "SELECT * FROM inference_request WHERE department_id = ? ORDER BY completed_at DESC " + "LIMIT 1",
                department);
    }

    private static Map<String, Object> chat(String model, boolean stream) {
        return Map.of("model", model, "stream", stream, "max_tokens", 20, "messages",
                List.of(Map.of("role", "user", "content", "Say hello.")));
    }

    private static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
