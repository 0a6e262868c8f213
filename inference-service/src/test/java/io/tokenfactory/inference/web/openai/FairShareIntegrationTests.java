package io.tokenfactory.inference.web.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import io.tokenfactory.inference.InferenceProperties;
import io.tokenfactory.testsupport.HttpTestClient;
import io.tokenfactory.testsupport.ServiceIntegrationTest;
import io.tokenfactory.testsupport.StubHttpServer;
import io.tokenfactory.testsupport.TestTokens;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A fair share of a remote server through the HTTP API: the server takes one request at a
 * time and holds each until the test lets it answer; the order in which requests reach it
 * is the order inference-service admitted them in.
 */
@ServiceIntegrationTest
class FairShareIntegrationTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final UUID HEAVY = UUID.fromString("3f0c2d1e-5b6a-4c7d-8e9f-0a1b2c3d4e5f");

    /** Requests the server may answer. */
    private static final Semaphore GATE = new Semaphore(0);

    /** The prompts, in the order they reached the server. */
    private static final List<String> ARRIVED = new CopyOnWriteArrayList<>();

    private static final StubHttpServer SERVER = new StubHttpServer().route("/v1/chat/completions", request -> {
        String prompt = JSON.readTree(request.body()).at("/messages/0/content").asString();
        ARRIVED.add(prompt);
        try {
            GATE.tryAcquire(30, TimeUnit.SECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return StubHttpServer.Response.json(200,
                JSON.writeValueAsString(Map.of("id", "chatcmpl-gated", "object", "chat.completion", "created", 1,
                        "model", "gated", "choices",
                        List.of(Map.of("index", 0, "finish_reason", "stop", "message",
                                Map.of("role", "assistant", "content", "done " + prompt))),
                        "usage", Map.of("prompt_tokens", 11, "completion_tokens", 7, "total_tokens", 18))));
    });

    @DynamicPropertySource
    static void models(DynamicPropertyRegistry registry) {
        registry.add("tokenfactory.inference.models[0].name", () -> "byte-lm-moby");
        registry.add("tokenfactory.inference.models[0].task", () -> "generation");
        registry.add("tokenfactory.inference.models[0].backend", () -> "local");
        registry.add("tokenfactory.inference.models[0].location", () -> "classpath:models/byte-lm-moby/model.tfbt");
        String gated = "tokenfactory.inference.models[1].";
        registry.add(gated + "name", () -> "gated");
        registry.add(gated + "task", () -> "generation");
        registry.add(gated + "backend", () -> "remote");
        registry.add(gated + "context-length", () -> "8192");
        registry.add(gated + "max-output-tokens", () -> "2048");
        registry.add(gated + "remote.base-url", () -> SERVER.url() + "/v1");
        registry.add(gated + "remote.timeout", () -> "40s");
        registry.add(gated + "remote.max-concurrency", () -> "1");
        registry.add(gated + "remote.queue-capacity", () -> "16");
        registry.add("tokenfactory.inference.fair-share.weights." + HEAVY, () -> "3");
        // the order of the queue is under test: no department skips it through a newcomer
        // slot (ConcurrencyLimitTests has those)
        registry.add("tokenfactory.inference.fair-share.newcomer-slots", () -> "0");
    }

    /** Clients that wait (the common pool may have a single thread). */
    private static final ExecutorService CLIENTS = Executors.newCachedThreadPool();

    @AfterAll
    static void stop() {
        GATE.release(100);
        CLIENTS.shutdown();
        SERVER.close();
    }

    @LocalServerPort
    int port;

    @Autowired
    MeterRegistry meters;

    @Autowired
    InferenceProperties properties;

    private final UUID a = UUID.randomUUID();

    private final UUID b = UUID.randomUUID();

    @Test
    void aFloodingDepartmentHoldsBackNeitherAnotherDepartmentsInteractiveNorItsBatchWork() throws Exception {
        List<CompletableFuture<ResponseEntity<JsonNode>>> responses = new ArrayList<>();
        responses.add(send(a, null, "a-1"));
        await().atMost(Duration.ofSeconds(20)).until(() -> ARRIVED.size() == 1);
        List<String> flood = List.of("a-2", "a-3", "a-4");
        for (int i = 0; i < flood.size(); i++) {
            // one after the other, so that they queue in this order
            responses.add(send(a, null, flood.get(i)));
            awaitWaiting(a, "interactive", i + 1);
        }
        responses.add(send(b, "batch", "b-b"));
        awaitWaiting(b, "batch", 1);
        responses.add(send(b, "interactive", "b-i"));
        awaitWaiting(b, "interactive", 1);

        GATE.release(6);

        for (CompletableFuture<ResponseEntity<JsonNode>> response : responses) {
            assertThat(response.get(60, TimeUnit.SECONDS).getStatusCode()).isEqualTo(HttpStatus.OK);
        }
        // B's interactive request goes first at the next free slot; then the shares
        // alternate, and B's batch work waits only behind its department's interactive
        // work
        assertThat(ARRIVED).containsExactly("a-1", "b-i", "a-2", "b-b", "a-3", "a-4");
        assertThat(meters.get("tokenfactory.inference.queue.wait")
            .tags("model", "gated", "department", b.toString(), "priority", "batch")
            .timer()
            .count()).isEqualTo(1);
        assertThat(HttpTestClient.onPort(port).getText("/actuator/prometheus").getBody())
            .contains("tokenfactory_inference_queue_wait_seconds_count{department=\"" + b
                    + "\",model=\"gated\",priority=\"interactive\"}")
            .contains("tokenfactory_inference_queue_waiting{department=\"" + b
                    + "\",model=\"gated\",priority=\"batch\"}");
    }

    @Test
    void weightsAreConfiguredPerDepartment() {
        assertThat(properties.fairShare().enabled()).isTrue();
        assertThat(properties.fairShare().weight(HEAVY)).isEqualTo(3.0);
        assertThat(properties.fairShare().weight(a)).isEqualTo(1.0);
        assertThat(properties.fairShare().newcomerSlots()).isZero();
    }

    private void awaitWaiting(UUID department, String priority, int count) {
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            Gauge waiting = meters.find("tokenfactory.inference.queue.waiting")
                .tags("model", "gated", "department", department.toString(), "priority", priority)
                .gauge();
            return waiting != null && waiting.value() == count;
        });
    }

    private CompletableFuture<ResponseEntity<JsonNode>> send(UUID department, String priority, String prompt) {
        String token = priority == null ? TestTokens.department(department, "inference")
                : TestTokens.department(department, "inference", priority);
        Map<String, Object> body = Map.of("model", "gated", "max_tokens", 16, "messages",
                List.of(Map.of("role", "user", "content", prompt)));
        return CompletableFuture.supplyAsync(
                () -> HttpTestClient.onPort(port).withToken(token).post("/v1/chat/completions", body), CLIENTS);
    }

}
