package io.tokenfactory.gateway.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

import io.tokenfactory.contracts.BudgetState;
import io.tokenfactory.contracts.BudgetStatusChanged;
import io.tokenfactory.gateway.GatewayIntegrationTest;
import io.tokenfactory.gateway.apikey.IssuedApiKey;
import io.tokenfactory.gateway.budget.BudgetGuard;
import io.tokenfactory.support.events.CloudEventMessages;
import io.tokenfactory.testsupport.HttpTestClient;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

import tools.jackson.databind.JsonNode;

class AdmissionIntegrationTests extends GatewayIntegrationTest {

    private static final String CHAT = "/v1/chat/completions";

    @Autowired
    StreamBridge streamBridge;

    @Autowired
    BudgetGuard budgetGuard;

    @Test
    void refusesRequestsOverTheKeysRequestsPerMinute() {
        awaitRoomInTheCurrentMinute();
        HttpTestClient client = http().withToken(limitedKey(UUID.randomUUID(), 3, null, List.of()).secret());

        List<HttpStatus> statuses = IntStream.range(0, 4)
            .mapToObj(i -> (HttpStatus) client.get("/v1/models").getStatusCode())
            .toList();

        assertThat(statuses).containsExactly(HttpStatus.OK, HttpStatus.OK, HttpStatus.OK, HttpStatus.TOO_MANY_REQUESTS);
        ResponseEntity<JsonNode> refused = client.get("/v1/models");
        assertThat(Long.parseLong(refused.getHeaders().getFirst("Retry-After"))).isBetween(1L, 60L);
        assertThat(refused.getBody().get("code").asString()).isEqualTo("rate_limited");
        assertThat(refused.getBody().at("/error/type").asString()).isEqualTo("rate_limit_error");
    }

    @Test
    void countsTheTokensTheResponsesReportAgainstTheKeysTokensPerMinute() {
        awaitRoomInTheCurrentMinute();
        HttpTestClient client = http().withToken(limitedKey(UUID.randomUUID(), null, 500L, List.of()).secret());

        // reserves about 400 + the prompt, settles to the 410 the response reports
        assertThat(client.post(CHAT, chat(400, false)).getStatusCode()).isEqualTo(HttpStatus.OK);
        // a streamed request: its usage arrives in the last event
        assertThat(client.postForText(CHAT, chat(20, true)).getBody()).contains("\"usage\"");
        // 440 used: a request that could need 80 more tokens no longer fits, one that
        // needs few still does
        ResponseEntity<JsonNode> refused = client.post(CHAT, chat(80, false));
        assertThat(refused.getStatusCode()).isEqualTo(HttpStatus.TOO_MANY_REQUESTS);
        assertThat(refused.getBody().get("detail").asString()).contains("tokens per minute");
        assertThat(client.post(CHAT, Map.of("model", "m", "messages", List.of(), "max_tokens", 5)).getStatusCode())
            .isEqualTo(HttpStatus.OK);
    }

    @Test
    void concurrentRequestsOvershootTheTokenAllowanceByAtMostOneReservation() throws Exception {
        awaitRoomInTheCurrentMinute();
        long allowance = 1_000;
        long maxTokens = 50;
        HttpTestClient client = http().withToken(limitedKey(UUID.randomUUID(), null, allowance, List.of()).secret());
        Map<String, Object> request = chat(maxTokens, false);
        long reservation = InferenceRequestShape
            .parse(tools.jackson.databind.json.JsonMapper.builder().build().writeValueAsBytes(request))
            .reservation(1024, true);
        long servedBefore = upstream.tokensServed.get();

        ExecutorService callers = Executors.newFixedThreadPool(50);
        List<Future<HttpStatus>> results;
        try {
            List<Callable<HttpStatus>> calls = IntStream.range(0, 50)
                .mapToObj(i -> (Callable<HttpStatus>) () -> (HttpStatus) client.post(CHAT, request).getStatusCode())
                .toList();
            results = callers.invokeAll(calls);
        }
        finally {
            callers.shutdown();
        }

        long admitted = 0;
        for (Future<HttpStatus> result : results) {
            HttpStatus status = result.get();
            assertThat(status).isIn(HttpStatus.OK, HttpStatus.TOO_MANY_REQUESTS);
            admitted += status == HttpStatus.OK ? 1 : 0;
        }
        long served = upstream.tokensServed.get() - servedBefore;
        assertThat(admitted).isBetween(1L, 49L);
        assertThat(served).isLessThanOrEqualTo(allowance + reservation);
    }

    @Test
    void refusesInferenceForADepartmentOverItsHardCappedBudgetButKeepsReadsOpen() {
        UUID department = UUID.randomUUID();
        IssuedApiKey key = departmentKey(department, "inference", "usage:read");
        HttpTestClient client = http().withToken(key.secret());
        BudgetStatusChanged exceeded = budget(department, BudgetState.EXCEEDED, true, Instant.now());

        publish(exceeded);
        publish(exceeded); // redelivered: changes nothing
        await().atMost(Duration.ofSeconds(20)).until(() -> budgetGuard.blocksInference(department));

        ResponseEntity<JsonNode> refused = client.post(CHAT, chat(10, false));
        assertThat(refused.getStatusCode()).isEqualTo(HttpStatus.PAYMENT_REQUIRED);
        assertThat(refused.getBody().get("code").asString()).isEqualTo("budget_exceeded");
        assertThat(refused.getBody().at("/error/type").asString()).isEqualTo("insufficient_quota");
        assertThat(client.get("/api/metering/usage").getStatusCode()).isEqualTo(HttpStatus.OK);

        // an older report arriving late must not lift the block; a newer one does
        publish(budget(department, BudgetState.OK, true, exceeded.occurredAt().minusSeconds(60)));
        publish(budget(department, BudgetState.OK, true, exceeded.occurredAt().plusSeconds(60)));
        await().atMost(Duration.ofSeconds(20)).until(() -> !budgetGuard.blocksInference(department));
        assertThat(client.post(CHAT, chat(10, false)).getStatusCode()).isEqualTo(HttpStatus.OK);
    }

    @Test
    void refusesModelsTheKeyIsNotAllowedToUse() {
        HttpTestClient client = http()
            .withToken(limitedKey(UUID.randomUUID(), null, null, List.of("tf-tiny")).secret());

        assertThat(client.post(CHAT, Map.of("model", "tf-tiny", "messages", List.of())).getStatusCode())
            .isEqualTo(HttpStatus.OK);
        ResponseEntity<JsonNode> refused = client.post(CHAT, Map.of("model", "gpt-huge", "messages", List.of()));
        assertThat(refused.getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(refused.getBody().get("code").asString()).isEqualTo("model_not_allowed");
    }

    @Test
    void aKeyLimitedToSomeModelsSeesOnlyThoseInTheModelList() {
        HttpTestClient restricted = http()
            .withToken(limitedKey(UUID.randomUUID(), null, null, List.of("tf-tiny")).secret());
        HttpTestClient unrestricted = http().withToken(departmentKey(UUID.randomUUID(), "inference").secret());

        ResponseEntity<JsonNode> listed = restricted.get("/v1/models");
        assertThat(listed.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(listed.getBody().get("object").asString()).isEqualTo("list");
        assertThat(listed.getBody().findValuesAsString("id")).containsExactly("tf-tiny");
        assertThat(unrestricted.get("/v1/models").getBody().findValuesAsString("id")).containsExactly("stub-model",
                "tf-tiny");

        ResponseEntity<JsonNode> hidden = restricted.get("/v1/models/stub-model");
        assertThat(hidden.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(hidden.getBody().get("code").asString()).isEqualTo("model_not_found");
        assertThat(hidden.getBody().at("/error/type").asString()).isEqualTo("invalid_request_error");
        assertThat(restricted.get("/v1/models/tf-tiny").getStatusCode()).isEqualTo(HttpStatus.OK);
    }

    @Test
    void answersWithOpenAisRateLimitHeaders() {
        awaitRoomInTheCurrentMinute();
        HttpTestClient client = http().withToken(limitedKey(UUID.randomUUID(), 3, 5_000L, List.of()).secret());

        ResponseEntity<JsonNode> first = client.get("/v1/models");
        ResponseEntity<JsonNode> completion = client.post(CHAT, chat(400, false));

        assertThat(first.getHeaders().getFirst("x-ratelimit-limit-requests")).isEqualTo("3");
        assertThat(first.getHeaders().getFirst("x-ratelimit-remaining-requests")).isEqualTo("2");
        assertThat(first.getHeaders().getFirst("x-ratelimit-reset-requests")).matches("([1-9]|[1-5][0-9])s|1m0s");
        assertThat(completion.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(completion.getHeaders().getFirst("x-ratelimit-remaining-requests")).isEqualTo("1");
        assertThat(completion.getHeaders().getFirst("x-ratelimit-limit-tokens")).isEqualTo("5000");
        // what this request reserved (its prompt estimate and its max_tokens) is taken
        long remaining = Long.parseLong(completion.getHeaders().getFirst("x-ratelimit-remaining-tokens"));
        assertThat(remaining).isBetween(4_000L, 4_600L);
        assertThat(completion.getHeaders().getFirst("x-ratelimit-reset-tokens")).matches("([1-9]|[1-5][0-9])s|1m0s");
        // a key without limits of its own, of no department: no such headers
        assertThat(
                http().withToken(adminKey().secret()).get("/v1/models").getHeaders().get("x-ratelimit-limit-requests"))
            .isNull();
    }

    @Test
    void refusesARequestThatCouldNeverFitTheTokenAllowance() {
        HttpTestClient client = http().withToken(limitedKey(UUID.randomUUID(), null, 500L, List.of()).secret());

        ResponseEntity<JsonNode> refused = client.post(CHAT, chat(5_000, false));

        assertThat(refused.getStatusCode()).isEqualTo(HttpStatus.UNPROCESSABLE_CONTENT);
        assertThat(refused.getBody().get("code").asString()).isEqualTo("request_exceeds_limit");
    }

    @Test
    void cannotSlipPastTheInferenceChecksWithAnEncodedPathOrWithoutAModel() {
        HttpTestClient restricted = http()
            .withToken(limitedKey(UUID.randomUUID(), null, null, List.of("tf-tiny")).secret());

        ResponseEntity<JsonNode> encoded = restricted.post("/v%31/chat/completions", Map.of("model", "gpt-huge"));
        assertThat(encoded.getStatusCode()).isIn(HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND);
        assertThat(restricted.post(CHAT, Map.of("messages", List.of())).getStatusCode())
            .isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(restricted.postRaw(CHAT, "not json").getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
    }

    @Test
    void refusesBodiesOverTheSizeLimit() {
        HttpTestClient client = http().withToken(departmentKey(UUID.randomUUID(), "inference").secret());

        ResponseEntity<JsonNode> refused = client.post(CHAT, Map.of("model", "m", "prompt", "x".repeat(100_000)));

        assertThat(refused.getStatusCode()).isEqualTo(HttpStatus.CONTENT_TOO_LARGE);
        assertThat(refused.getBody().get("code").asString()).isEqualTo("payload_too_large");
    }

    @Test
    void givesEveryRequestAnIdAndATraceContextAndPassesThemOn() {
        HttpTestClient client = http().withToken(departmentKey(UUID.randomUUID(), "inference").secret());
        String traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

        ResponseEntity<JsonNode> traced = client.getWithHeaders("/v1/models/tf-tiny",
                Map.of("X-Request-Id", "client-42", "traceparent", traceparent));
        ResponseEntity<JsonNode> fresh = client.get("/v1/models/tf-tiny");

        assertThat(traced.getHeaders().getFirst("X-Request-Id")).isEqualTo("client-42");
        assertThat(upstream.lastHeaders("/v1/models/tf-tiny")).containsEntry("x-request-id",
                fresh.getHeaders().getFirst("X-Request-Id"));
        assertThat(fresh.getHeaders().getFirst("X-Request-Id")).hasSize(36);
        // the routed call is a child of the gateway's span: a fresh trace, or the
        // client's
        assertThat(upstream.lastHeaders("/v1/models/tf-tiny").get("traceparent"))
            .matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]");
        ResponseEntity<JsonNode> again = client.getWithHeaders("/v1/models/tf-tiny",
                Map.of("traceparent", traceparent));
        assertThat(again.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(upstream.lastHeaders("/v1/models/tf-tiny").get("traceparent"))
            .startsWith("00-0af7651916cd43dd8448eb211c80319c-")
            .doesNotContain("b7ad6b7169203331");
    }

    /** Limits count in calendar-minute windows; a test must not straddle two of them. */
    private static void awaitRoomInTheCurrentMinute() {
        await().atMost(Duration.ofSeconds(15)).until(() -> LocalTime.now().getSecond() < 50);
    }

    private void publish(BudgetStatusChanged report) {
        assertThat(streamBridge.send("tokenfactory.budget-status-changed",
                CloudEventMessages.toMessage(report, "urn:tokenfactory:billing-service")))
            .isTrue();
    }

    private static BudgetStatusChanged budget(UUID department, BudgetState state, boolean hardCap, Instant at) {
        // a month gone by: its spend is no floor for this month's reservations
        return new BudgetStatusChanged(UUID.randomUUID(), at, department,
                java.time.YearMonth.now(java.time.ZoneOffset.UTC).minusMonths(1).toString(),
                new BigDecimal("1200.000000"), new BigDecimal("1000.000000"), "EUR", state, hardCap);
    }

    private static Map<String, Object> chat(long maxTokens, boolean stream) {
        return Map.of("model", "tf-tiny", "messages", List.of(Map.of("role", "user", "content", "Hello")), "max_tokens",
                maxTokens, "stream", stream);
    }

}
