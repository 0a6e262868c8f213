package io.tokenfactory.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;

import io.tokenfactory.testsupport.FreePorts;
import io.tokenfactory.billing.BillingServiceApplication;
import io.tokenfactory.gateway.GatewayApplication;
import io.tokenfactory.gateway.apikey.ApiKeys;
import io.tokenfactory.gateway.apikey.NewApiKey;
import io.tokenfactory.inference.InferenceServiceApplication;
import io.tokenfactory.support.security.IdentityClaims;
import io.tokenfactory.testsupport.HttpTestClient;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;

import tools.jackson.databind.JsonNode;

/**
 * The factory floor through the front door: OpenAI's official Java client, unchanged,
 * against the real gateway with a department's API key, served by the real
 * inference-service on its DJL models; each request's usage is recorded against that
 * department with its measured energy, and the gateway's count of what it relayed agrees
 * with inference's log.
 */
class OpenAiThroughGatewaySystemTests {

    private static RunningService billing;

    private static RunningService inference;

    private static RunningService gateway;

    private static OpenAIClient openAi;

    private static UUID department;

    private static HttpTestClient admin;

    @BeforeAll
    static void startTheFactory() {
        int gatewayPort = freePort();
        String jwks = "spring.security.oauth2.resourceserver.jwt.jwk-set-uri=http://localhost:" + gatewayPort
                + "/.well-known/jwks.json";
        billing = RunningService.start(BillingServiceApplication.class, "billing-service", jwks);
        inference = RunningService.start(InferenceServiceApplication.class, "inference-service", jwks);
        gateway = RunningService.start(GatewayApplication.class, "gateway", "spring.main.web-application-type=reactive",
                "server.port=" + gatewayPort,
                "tokenfactory.gateway.upstreams.inference=http://localhost:" + inference.port(),
                "tokenfactory.gateway.upstreams.billing=http://localhost:" + billing.port(),
                "tokenfactory.gateway.api-keys.pepper=system-test-pepper-" + UUID.randomUUID());

        String adminKey = gateway.bean(ApiKeys.class)
            .issue(new NewApiKey("system-test-admin", null, null, Set.of(IdentityClaims.SCOPE_ADMIN), List.of(), null,
                    null, null))
            .secret();
        admin = HttpTestClient.onPort(gatewayPort).withToken(adminKey);
        department = department("Research");
        openAi = OpenAIOkHttpClient.builder()
            .baseUrl("http://localhost:" + gatewayPort + "/v1")
            .apiKey(inferenceKey(department))
            .maxRetries(0)
            .build();
    }

    private static UUID department(String name) {
        ResponseEntity<JsonNode> created = admin.post("/api/billing/departments", Map.of("name",
                name + " " + UUID.randomUUID(), "costCentreCode", "CC-" + (int) (Math.random() * 9000 + 1000)));
        assertThat(created.getStatusCode()).as("%s", created.getBody()).isEqualTo(HttpStatus.CREATED);
        return UUID.fromString(created.getBody().get("id").asString());
    }

    private static String inferenceKey(UUID department) {
        ResponseEntity<JsonNode> key = admin.post("/api/keys",
                Map.of("name", "research-app", "departmentId", department.toString(), "scopes", List.of("inference")));
        assertThat(key.getStatusCode()).isEqualTo(HttpStatus.CREATED);
        return key.getBody().get("secret").asString();
    }

    @AfterAll
    static void stopTheFactory() {
        if (openAi != null) {
            openAi.close();
        }
        for (RunningService service : new RunningService[] { gateway, inference, billing }) {
            if (service != null) {
                service.close();
            }
        }
    }

    @Test
    void chatStreamedChatAndEmbeddingsAreServedAndChargedToTheKeysDepartment() {
        ChatCompletion completion = openAi.chat()
            .completions()
            .create(ChatCompletionCreateParams.builder()
                .model("byte-lm-moby")
                .addUserMessage("Call me Ishmael.")
                .maxCompletionTokens(40)
                .build());
        assertThat(completion.choices().get(0).message().content()).get().asString().isNotBlank();
        assertThat(completion.usage()).get().satisfies(usage -> assertThat(usage.completionTokens()).isEqualTo(40));

        StringBuilder streamed = new StringBuilder();
        long[] streamedTokens = { -1 };
        try (StreamResponse<ChatCompletionChunk> stream = openAi.chat()
            .completions()
            .createStreaming(ChatCompletionCreateParams.builder()
                .model("byte-lm-moby")
                .addUserMessage("The white whale")
                .maxCompletionTokens(30)
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
                .build())) {
            stream.stream().forEach(chunk -> {
                chunk.choices().forEach(choice -> choice.delta().content().ifPresent(streamed::append));
                chunk.usage().ifPresent(usage -> streamedTokens[0] = usage.completionTokens());
            });
        }
        assertThat(streamed).isNotEmpty();
        assertThat(streamedTokens[0]).isEqualTo(30);

        CreateEmbeddingResponse embeddings = openAi.embeddings()
            .create(EmbeddingCreateParams.builder().model("all-minilm-l6-v2").input("a whale of a tale").build());
        assertThat(embeddings.data().get(0).embedding()).hasSize(384);
        long embeddingTokens = embeddings.usage().promptTokens();

        JdbcTemplate requests = new JdbcTemplate(inference.bean(javax.sql.DataSource.class));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            List<Map<String, Object>> rows = requests.queryForList("SELECT model, prompt_tokens, completion_tokens, "
                    + "energy_joules, outcome FROM inference_request WHERE department_id = ? ORDER BY completed_at",
                    department);
            assertThat(rows).hasSize(3);
            assertThat(rows).extracting(row -> ((Number) row.get("completion_tokens")).longValue())
                .containsExactly(40L, 30L, 0L);
            assertThat(((Number) rows.get(2).get("prompt_tokens")).longValue()).isEqualTo(embeddingTokens);
            assertThat(rows).allSatisfy(row -> {
                assertThat(row.get("outcome")).isEqualTo("COMPLETED");
                assertThat(((Number) row.get("energy_joules")).doubleValue()).isPositive();
            });
        });
    }

    @Test
    void theGatewayCountsTheTokensItRelayedAsInferenceLoggedThem() {
        UUID relayed = department("Relayed");
        HttpTestClient client = HttpTestClient.onPort(gateway.port()).withToken(inferenceKey(relayed));
        Map<String, Object> chat = Map.of("model", "byte-lm-moby", "max_tokens", 30, "temperature", 0, "messages",
                List.of(Map.of("role", "user", "content", "Call me Ishmael.")));

        assertThat(client.post("/v1/chat/completions", chat).getStatusCode()).isEqualTo(HttpStatus.OK);
        // a stream whose every chunk carries the usage so far, and one without any usage:
        // the gateway counts its content chunks, one token each
        assertThat(client
            .postForText("/v1/chat/completions",
                    with(chat, "stream", true, "stream_options",
                            Map.of("include_usage", true, "continuous_usage_stats", true)))
            .getBody()).contains("\"usage\":{");
        assertThat(client.postForText("/v1/chat/completions", with(chat, "stream", true)).getBody())
            .doesNotContain("\"usage\"");

        Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS);
        String window = "?from=" + hour.minus(1, ChronoUnit.HOURS) + "&to=" + hour.plus(2, ChronoUnit.HOURS);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode served = departmentRow(admin.get("/api/inference/usage-summary" + window).getBody(), relayed);
            JsonNode counted = departmentRow(admin.get("/api/gateway/relayed-usage" + window).getBody(), relayed);
            assertThat(served.get("requests").asLong()).isEqualTo(3);
            assertThat(counted.get("requests").asLong()).isEqualTo(3);
            assertThat(counted.get("chunkCountedRequests").asLong()).isEqualTo(1);
            assertThat(counted.get("completionTokens").asLong()).isEqualTo(served.get("completionTokens").asLong())
                .isEqualTo(90);
            // the stream without a usage told the gateway nothing of its prompt
            assertThat(counted.get("promptTokens").asLong()).isEqualTo(served.get("promptTokens").asLong() * 2 / 3);
        });
    }

    private static JsonNode departmentRow(JsonNode summary, UUID department) {
        return summary.get("rows")
            .valueStream()
            .filter(row -> row.get("department").asString().equals(department.toString()))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no row of " + department + " in " + summary));
    }

    private static Map<String, Object> with(Map<String, Object> body, Object... more) {
        Map<String, Object> extended = new LinkedHashMap<>(body);
        for (int i = 0; i < more.length; i += 2) {
            extended.put((String) more[i], more[i + 1]);
        }
        return extended;
    }

    private static int freePort() {
        return FreePorts.next();
    }

}
