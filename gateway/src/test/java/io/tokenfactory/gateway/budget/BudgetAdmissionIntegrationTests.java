package io.tokenfactory.gateway.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

import io.tokenfactory.gateway.GatewayIntegrationTest;
import io.tokenfactory.gateway.StubUpstream;
import io.tokenfactory.gateway.apikey.IssuedApiKey;
import io.tokenfactory.gateway.apikey.NewApiKey;
import io.tokenfactory.testsupport.HttpTestClient;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;

import tools.jackson.databind.JsonNode;

/**
 * Money at the door, against billing's snapshot from {@link StubUpstream} (every token
 * 0.001 in, 0.002 out) and its completions (10 prompt tokens, max_tokens out).
 */
class BudgetAdmissionIntegrationTests extends GatewayIntegrationTest {

    private static final String CHAT = "/v1/chat/completions";

    /**
     * What one {@link #chat} of 10 tokens costs as the stub answers it: 10 × 0.001 + 10 ×
     * 0.002.
     */
    private static final BigDecimal ONE_REQUEST = new BigDecimal("0.03");

    @Autowired
    BudgetBook book;

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void concurrentRequestsNeverTogetherPassTheDepartmentsHardCapAndTheRefusedGetTheBudgetProblem() throws Exception {
        UUID department = department("0.50", "0");
        HttpTestClient client = http().withToken(departmentKey(department, "inference", "billing:read").secret());

        List<ResponseEntity<JsonNode>> answers = concurrently(40, () -> client.post(CHAT, chat(10, false)));

        long served = answers.stream().filter(answer -> answer.getStatusCode() == HttpStatus.OK).count();
        List<ResponseEntity<JsonNode>> refused = answers.stream()
            .filter(answer -> answer.getStatusCode() != HttpStatus.OK)
            .toList();
        // each reserves its worst case (the prompt's 36 bytes as tokens + 10 out: 0.056):
        // at least 8 fit in 0.50; never more than the budget holds
        assertThat(served).isGreaterThanOrEqualTo(8);
        assertThat(ONE_REQUEST.multiply(BigDecimal.valueOf(served))).isLessThanOrEqualTo(new BigDecimal("0.50"));
        assertThat(refused).isNotEmpty().allSatisfy(answer -> {
            assertThat(answer.getStatusCode()).isEqualTo(HttpStatus.PAYMENT_REQUIRED);
            assertThat(answer.getBody().get("code").asString()).isEqualTo("budget_exceeded");
            assertThat(answer.getBody().at("/error/type").asString()).isEqualTo("insufficient_quota");
            assertThat(answer.getBody().get("detail").asString()).contains("department's budget");
        });
        // settled to what the responses reported, not to the worst case
        JsonNode line = budgets(client, department).get(0);
        assertThat(line.get("spent").decimalValue())
            .isEqualByComparingTo(ONE_REQUEST.multiply(BigDecimal.valueOf(served)));
        assertThat(line.get("reserved").decimalValue()).isZero();
    }

    @Test
    void billingsSpendIsTheFloorAndTheGatewaysTallyHoldsTheCapWhileBillingIsAway() {
        UUID department = department("0.20", "0.10");
        HttpTestClient client = http().withToken(departmentKey(department, "inference", "billing:read").secret());

        upstream.billingAway = true;
        try {
            // billing said 0.10 of 0.20 is spent: two requests fit (0.03 each, 0.056 at
            // worst), the third does not
            List<HttpStatus> statuses = IntStream.range(0, 3)
                .mapToObj(i -> (HttpStatus) client.post(CHAT, chat(10, false)).getStatusCode())
                .toList();
            assertThat(statuses).containsExactly(HttpStatus.OK, HttpStatus.OK, HttpStatus.PAYMENT_REQUIRED);
        }
        finally {
            upstream.billingAway = false;
        }
        // billing back, not yet charged what went through: the tally still counts it
        assertThat(client.post(CHAT, chat(10, false)).getStatusCode()).isEqualTo(HttpStatus.PAYMENT_REQUIRED);
        // billing raises the budget: room again
        upstream.budgets.put(department, new String[] { "1.00", "0.19", "true" });
        await().atMost(Duration.ofSeconds(10))
            .until(() -> client.post(CHAT, chat(10, false)).getStatusCode() == HttpStatus.OK);
    }

    @Test
    void aBudgetWithoutAHardCapRefusesNothingButIsTalliedSoThatMadeHardItHoldsAtOnce() {
        UUID department = department("0.10", "0");
        upstream.budgets.put(department, new String[] { "0.10", "0", "false" });
        await().atMost(Duration.ofSeconds(10)).until(() -> !book.terms().departments().get(department).hardCap());
        HttpTestClient client = http().withToken(departmentKey(department, "inference", "billing:read").secret());

        List<HttpStatus> soft = IntStream.range(0, 4)
            .mapToObj(i -> (HttpStatus) client.post(CHAT, chat(10, false)).getStatusCode())
            .toList();
        // made hard while billing has charged none of it yet: the tally (0.12) holds
        upstream.budgets.put(department, new String[] { "0.10", "0", "true" });
        await().atMost(Duration.ofSeconds(10)).until(() -> book.terms().departments().get(department).hardCap());

        assertThat(soft).containsOnly(HttpStatus.OK);
        assertThat(client.post(CHAT, chat(10, false)).getStatusCode()).isEqualTo(HttpStatus.PAYMENT_REQUIRED);
        assertThat(budgets(client, department).get(0).get("spent").decimalValue()).isEqualByComparingTo("0.12");
    }

    @Test
    void aKeysBudgetRefusesThatKeyOnlyAndTheOverviewShowsWhatIsLeft() {
        UUID department = UUID.randomUUID();
        upstream.knownDepartments.add(department);
        IssuedApiKey budgeted = apiKeys.issue(new NewApiKey("budgeted", department, null, Set.of("inference"),
                List.of(), null, null, null, new BigDecimal("0.10"), null, null));
        HttpTestClient client = http().withToken(budgeted.secret());
        HttpTestClient other = http().withToken(departmentKey(department, "inference", "billing:read").secret());

        List<HttpStatus> statuses = IntStream.range(0, 2)
            .mapToObj(i -> (HttpStatus) client.post(CHAT, chat(10, false)).getStatusCode())
            .toList();
        ResponseEntity<JsonNode> refused = client.post(CHAT, chat(10, false));

        assertThat(statuses).containsExactly(HttpStatus.OK, HttpStatus.OK);
        assertThat(refused.getStatusCode()).isEqualTo(HttpStatus.PAYMENT_REQUIRED);
        assertThat(refused.getBody().get("detail").asString()).contains("key's budget").contains("0.04 EUR left");
        assertThat(other.post(CHAT, chat(10, false)).getStatusCode()).isEqualTo(HttpStatus.OK);
        JsonNode line = find(budgets(other, department), "key", budgeted.key().id());
        assertThat(line.get("limit").decimalValue()).isEqualByComparingTo("0.10");
        assertThat(line.get("spent").decimalValue()).isEqualByComparingTo("0.06");
        assertThat(line.get("remaining").decimalValue()).isEqualByComparingTo("0.04");
        // another department's key reads none of it
        assertThat(http().withToken(departmentKey(UUID.randomUUID(), "billing:read").secret())
            .get("/api/gateway/budgets?departmentId=" + department)
            .getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
    }

    @Test
    void anAgentsBudgetCoversAllItsKeys() {
        UUID department = UUID.randomUUID();
        UUID agent = UUID.randomUUID();
        upstream.knownDepartments.add(department);
        HttpTestClient admin = http().withToken(adminKey().secret());
        assertThat(admin
            .put("/api/gateway/budgets/agents/" + agent, Map.of("departmentId", department, "monthlyBudget", "0.09"))
            .getStatusCode()).isEqualTo(HttpStatus.NO_CONTENT);
        HttpTestClient first = http().withToken(agentKey(department, agent));
        HttpTestClient second = http().withToken(agentKey(department, agent));

        assertThat(first.post(CHAT, chat(10, false)).getStatusCode()).isEqualTo(HttpStatus.OK);
        // 0.03 spent, 0.056 at worst: fits in 0.09
        assertThat(second.post(CHAT, chat(10, false)).getStatusCode()).isEqualTo(HttpStatus.OK);
        ResponseEntity<JsonNode> refused = first.post(CHAT, chat(10, false));

        assertThat(refused.getStatusCode()).isEqualTo(HttpStatus.PAYMENT_REQUIRED);
        assertThat(refused.getBody().get("detail").asString()).contains("agent's budget");
        assertThat(find(budgets(admin, department), "agent", agent).get("spent").decimalValue())
            .isEqualByComparingTo("0.06");
        assertThat(admin.put("/api/gateway/budgets/agents/" + agent, Map.of("monthlyBudget", "-1")).getStatusCode())
            .isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(admin.delete("/api/gateway/budgets/agents/" + agent).getStatusCode())
            .isEqualTo(HttpStatus.NO_CONTENT);
        await().atMost(Duration.ofSeconds(5))
            .until(() -> first.post(CHAT, chat(10, false)).getStatusCode() == HttpStatus.OK);
    }

    @Test
    void absurdFieldsAreClearRefusalsThatHoldNothingBack() {
        UUID department = department("0.10", "0");
        IssuedApiKey key = limitedKey(department, null, 1_000L, List.of());
        HttpTestClient client = http().withToken(key.secret());

        for (Map<String, Object> absurd : List.<Map<String, Object>>of(
                Map.of("model", "stub-model", "max_tokens", Long.MAX_VALUE),
                Map.of("model", "stub-model", "max_tokens", -1),
                Map.of("model", "stub-model", "max_completion_tokens", 2.5), Map.of("model", "stub-model", "n", 2),
                Map.of("model", "stub-model", "best_of", 3),
                Map.of("model", "stub-model", "stop", List.of("a", "b", "c", "d", "e")),
                Map.of("model", "stub-model", "stop", List.of(7)))) {
            ResponseEntity<JsonNode> answer = client.post(CHAT, absurd);
            assertThat(answer.getStatusCode()).as(absurd.toString()).isEqualTo(HttpStatus.BAD_REQUEST);
            assertThat(answer.getBody().at("/error/type").asString()).isEqualTo("invalid_request_error");
            assertThat(answer.getBody().at("/error/param").asString()).isIn("max_tokens", "max_completion_tokens", "n",
                    "best_of", "stop");
        }
        // nothing was reserved: the whole budget and token allowance are still there
        assertThat(budgets(http().withToken(adminKey().secret()), department).get(0).get("remaining").decimalValue())
            .isEqualByComparingTo("0.10");
        assertThat(client.post(CHAT, chat(10, false)).getStatusCode()).isEqualTo(HttpStatus.OK);
    }

    @Test
    void aStreamSettlesToItsUsageAndARequestThatCanNeverFitSaysSo() {
        UUID department = department("0.10", "0");
        HttpTestClient client = http().withToken(departmentKey(department, "inference", "billing:read").secret());

        String events = client
            .postForText(CHAT, Map.of("model", StubUpstream.TOKEN_STREAM, "stream", true, "max_tokens", 5,
                    "stream_options", Map.of("include_usage", true), "messages", List.of()))
            .getBody();
        ResponseEntity<JsonNode> never = client.post(CHAT, chat(100_000, false));

        assertThat(events).endsWith("data: [DONE]\n\n");
        // 10 × 0.001 + 5 × 0.002
        assertThat(budgets(client, department).get(0).get("spent").decimalValue()).isEqualByComparingTo("0.02");
        assertThat(never.getStatusCode()).isEqualTo(HttpStatus.PAYMENT_REQUIRED);
        assertThat(never.getBody().get("detail").asString()).contains("more than the whole department's budget");
    }

    @Test
    void aRequestWithoutMaxTokensReservesTheModelsMaximumOutput() {
        // 0.036 for the prompt + 20 × 0.002 at most: 0.076 fits; 1024 default tokens
        // would not
        UUID department = department("0.08", "0");
        HttpTestClient client = http().withToken(departmentKey(department, "inference", "billing:read").secret());
        await().atMost(Duration.ofSeconds(10)).until(() -> book.maxOutputTokens("stub-model") != null);

        ResponseEntity<JsonNode> answer = client.post(CHAT,
                Map.of("model", "stub-model", "messages", List.of(Map.of("role", "user", "content", "Hello"))));

        assertThat(answer.getStatusCode()).isEqualTo(HttpStatus.OK);
        // asked for more than the model may produce: reserved as asked (inference would
        // refuse it)
        assertThat(client.post(CHAT, chat(5_000, false)).getStatusCode()).isEqualTo(HttpStatus.PAYMENT_REQUIRED);
    }

    @Test
    void aKeysRequestsAtOnceAreLimited() {
        UUID department = UUID.randomUUID();
        upstream.knownDepartments.add(department);
        HttpTestClient client = http().withToken(apiKeys
            .issue(new NewApiKey("one-at-a-time", department, null, Set.of("inference"), List.of(), null, null, null,
                    null, null, 1))
            .secret());
        upstream.release = new java.util.concurrent.CompletableFuture<>();
        java.util.concurrent.CompletableFuture<ResponseEntity<String>> held = java.util.concurrent.CompletableFuture
            .supplyAsync(() -> client.postForText(CHAT, Map.of("model", StubUpstream.TOKEN_STREAM, "stream", true,
                    "max_tokens", 3, "hold_after", 1, "messages", List.of())));
        try {
            await().atMost(Duration.ofSeconds(10))
                .until(() -> !upstream.received(CHAT).isEmpty()
                        && client.post(CHAT, chat(10, false)).getStatusCode() == HttpStatus.TOO_MANY_REQUESTS);
        }
        finally {
            upstream.release.complete(null);
        }
        assertThat(held.join().getBody()).endsWith("data: [DONE]\n\n");
        assertThat(client.post(CHAT, chat(10, false)).getStatusCode()).isEqualTo(HttpStatus.OK);
    }

    private UUID department(String limit, String spent) {
        UUID department = UUID.randomUUID();
        upstream.knownDepartments.add(department);
        upstream.budgets.put(department, new String[] { limit, spent, "true" });
        await().atMost(Duration.ofSeconds(10)).until(() -> book.terms().departments().containsKey(department));
        return department;
    }

    private String agentKey(UUID department, UUID agent) {
        return apiKeys
            .issue(new NewApiKey("agent", department, agent, Set.of("inference"), List.of(), null, null, null))
            .secret();
    }

    private static JsonNode budgets(HttpTestClient client, UUID department) {
        ResponseEntity<JsonNode> answer = client.get("/api/gateway/budgets?departmentId=" + department);
        assertThat(answer.getStatusCode()).isEqualTo(HttpStatus.OK);
        return answer.getBody();
    }

    private static JsonNode find(JsonNode lines, String scope, UUID id) {
        for (JsonNode line : lines) {
            if (scope.equals(line.get("scope").asString()) && id.toString().equals(line.get("id").asString())) {
                return line;
            }
        }
        throw new AssertionError("no " + scope + " budget " + id + " in " + lines);
    }

    private static List<ResponseEntity<JsonNode>> concurrently(int count, Callable<ResponseEntity<JsonNode>> call)
            throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(count);
        try {
            List<ResponseEntity<JsonNode>> answers = new ArrayList<>();
            for (Future<ResponseEntity<JsonNode>> answer : callers
                .invokeAll(IntStream.range(0, count).mapToObj(i -> call).toList())) {
                answers.add(answer.get());
            }
            return answers;
        }
        finally {
            callers.shutdown();
        }
    }

    private static Map<String, Object> chat(long maxTokens, boolean stream) {
        return Map.of("model", "stub-model", "messages", List.of(Map.of("role", "user", "content", "Hello")),
                "max_tokens", maxTokens, "stream", stream);
    }

}
