package io.tokenfactory.system.soak;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tokenfactory.system.soak.SoakSuite.Service;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;

import tools.jackson.databind.JsonNode;

/**
 * Two instances each of gateway, agent-service, metering-service and billing-service (and
 * one inference-service) as processes on one PostgreSQL, one broker and one Redis: a
 * key's limit holds across both gateways, usage consumed by competing metering and
 * billing replicas is counted once, a budget crossing is announced once and enforced by
 * both gateways, budgets in money hold at the door of both gateways while billing is
 * away, and the two agent-service replicas never run one agent twice at once.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplicaSystemTests {

    private static final int RPM_LIMIT = 12;

    private static SoakSuite suite;

    private static Api admin;

    private static final HttpClient HTTP = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .build();

    @BeforeAll
    static void startTwoOfEach() throws Exception {
        suite = new SoakSuite(Path.of("..").toAbsolutePath().normalize(), Path.of("target/replicas").toAbsolutePath(),
                Map.of(Service.GATEWAY, 2, Service.AGENTS, 2, Service.METERING, 2, Service.BILLING, 2));
        // the replicas of the gateway must sign identity tokens with one key and count
        // limits in one place
        suite.environment("TF_IDENTITY_SIGNING_JWK",
                new ECKeyGenerator(Curve.P_256).keyID("replicas").generate().toJSONString());
        suite.environment("TF_LIMITS_STORE", "redis");
        suite.environment("TF_REDIS_HOST", System.getenv().getOrDefault("TF_REDIS_HOST", "localhost"));
        suite.environment("TF_REDIS_PORT", System.getenv().getOrDefault("TF_REDIS_PORT", "6379"));
        suite.start(Duration.ofMinutes(6));
        admin = new Api(suite.url(Service.GATEWAY, 0), suite.adminKey());
        Soak.seedPrices(admin, "1000", "1000");
    }

    @AfterAll
    static void stop() {
        if (suite != null) {
            suite.close();
        }
    }

    @Test
    @Order(1)
    void aKeysRequestsPerMinuteHoldAcrossBothGateways() throws Exception {
        UUID department = department("Replica limits", "1000000", false);
        String key = admin
            .call("POST", "/api/keys", Map.of("name", "limited", "departmentId", department, "scopes",
                    List.of("inference"), "rpmLimit", RPM_LIMIT), 201)
            .get("secret")
            .asString();
        // the whole burst inside one minute of the limit's window
        Awaitility.await("a fresh minute")
            .atMost(Duration.ofSeconds(61))
            .pollInterval(Duration.ofMillis(200))
            .until(() -> Instant.now().atZone(ZoneOffset.UTC).getSecond() < 20);
        Map<Integer, Integer> statuses = new LinkedHashMap<>();
        for (int i = 0; i < 2 * RPM_LIMIT; i++) {
            int status = complete(suite.url(Service.GATEWAY, i % 2), key, 1).statusCode();
            statuses.merge(status, 1, Integer::sum);
        }
        assertThat(statuses).as("answers to %d requests alternating between two gateways", 2 * RPM_LIMIT)
            .containsEntry(200, RPM_LIMIT)
            .containsEntry(429, RPM_LIMIT);
    }

    @Test
    @Order(2)
    void usageConsumedByCompetingReplicasIsCountedOnceAndABudgetCrossingIsAnnouncedOnceAndEnforcedByBoth()
            throws Exception {
        // at 1,000 per million tokens a request of about 33 tokens costs 0.033: the
        // budget of 0.5 (no hard cap yet, so nothing is refused at the door) is crossed
        // after about 15 of them, its soft threshold (50 %) after about eight
        UUID department = department("Replica budget", "0.5", false);
        String key = admin
            .call("POST", "/api/keys",
                    Map.of("name", "spender", "departmentId", department, "scopes", List.of("inference")), 201)
            .get("secret")
            .asString();
        int served = 0;
        for (int i = 0; i < 40; i++) {
            int status = complete(suite.url(Service.GATEWAY, i % 2), key, 16).statusCode();
            if (status == 200) {
                served++;
            }
        }
        assertThat(served).as("requests served under a budget without a hard cap").isEqualTo(40);

        Awaitility.await("every usage event metered and billed")
            .atMost(Duration.ofMinutes(2))
            .pollInterval(Duration.ofSeconds(1))
            .ignoreExceptions()
            .until(() -> {
                long requests = count(Service.INFERENCE, "SELECT count(*) FROM inference_request");
                return count(Service.METERING, "SELECT count(*) FROM usage_record") == requests
                        && count(Service.BILLING, "SELECT count(*) FROM usage_charge") == requests;
            });
        Reconciliation books = Reconciliation.of(suite, List.of(), Map.of(), "%",
                Reconciliation.closedStatements(suite), Instant.now().minusSeconds(15));
        assertThat(books.checks)
            .filteredOn(check -> check.name().startsWith("served = metered")
                    || check.name().startsWith("metered = billed") || check.name().startsWith("no charge counted twice")
                    || check.name().startsWith("metering's hourly"))
            .hasSize(6)
            .allSatisfy(check -> assertThat(check.holds())
                .as("%s: expected %s, found %s", check.name(), check.expected(), check.actual())
                .isTrue());

        // each crossing once, whichever billing replica priced the usage that crossed it
        assertThat(announcements(department)).as("budget-status-changed events billing published for the department")
            .doesNotHaveDuplicates()
            .endsWith("EXCEEDED");

        // the cap made hard: both gateways refuse the department at once
        admin.call("PUT", "/api/billing/departments/" + department, Map.of("name", "Replica budget", "costCentreCode",
                "CC-Replica-budget", "monthlyBudget", "0.5", "softAlertPercent", 50, "hardCap", true), 200);
        Awaitility.await("both gateways refuse the department over its hard-capped budget")
            .atMost(Duration.ofMinutes(1))
            .pollInterval(Duration.ofSeconds(1))
            .until(() -> complete(suite.url(Service.GATEWAY, 0), key, 1).statusCode() == 402
                    && complete(suite.url(Service.GATEWAY, 1), key, 1).statusCode() == 402);
    }

    /**
     * Money at the door, through both gateways (reservations shared in Redis), the real
     * inference, metering and billing: 50 concurrent streamed and whole requests per
     * budget, the department's with both billing replicas stopped half-way. What billing
     * finally charges stays within the budget plus one request's worst case, and every
     * refusal is the budget problem.
     */
    @Test
    @Order(3)
    void budgetsHoldAtTheDoorOfBothGatewaysWithBillingStoppedHalfway() throws Exception {
        BigDecimal budget = new BigDecimal("0.40");
        UUID department = department("Door department", budget.toPlainString(), true);
        String departmentKey = key(department, Map.of());
        UUID keyDepartment = department("Door key", "1000000", false);
        String budgetedKey = key(keyDepartment, Map.of("monthlyBudget", budget));
        UUID agentDepartment = department("Door agent", "1000000", false);
        UUID agent = UUID.randomUUID();
        admin.call("PUT", "/api/gateway/budgets/agents/" + agent,
                Map.of("departmentId", agentDepartment, "monthlyBudget", budget), 204);
        String agentKey = key(agentDepartment, Map.of("agentId", agent));
        // both gateways read the department's hard cap from billing's snapshot
        Awaitility.await("both gateways know the department's budget")
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(500))
            .until(() -> knowsBudget(0, department) && knowsBudget(1, department));

        List<Answer> departmentAnswers = new ArrayList<>(concurrently(departmentKey, 25));
        suite.stopAll(Service.BILLING);
        try {
            departmentAnswers.addAll(concurrently(departmentKey, 25));
        }
        finally {
            suite.startAll(Service.BILLING, Duration.ofMinutes(3));
        }
        List<Answer> keyAnswers = concurrently(budgetedKey, 50);
        List<Answer> agentAnswers = concurrently(agentKey, 50);
        Awaitility.await("every usage event metered and billed")
            .atMost(Duration.ofMinutes(3))
            .pollInterval(Duration.ofSeconds(1))
            .ignoreExceptions()
            .until(() -> {
                long requests = count(Service.INFERENCE, "SELECT count(*) FROM inference_request");
                return count(Service.BILLING, "SELECT count(*) FROM usage_charge") == requests;
            });

        // byte-lm-moby at 1,000 per million tokens; at worst the messages' JSON bytes as
        // prompt tokens and 16 completion tokens
        BigDecimal worstCase = BigDecimal.valueOf(Api.JSON.writeValueAsBytes(MESSAGES).length + MAX_TOKENS)
            .movePointLeft(3);
        for (Map.Entry<String, Object[]> run : Map
            .of("department", new Object[] { department, departmentAnswers }, "key",
                    new Object[] { keyDepartment, keyAnswers }, "agent", new Object[] { agentDepartment, agentAnswers })
            .entrySet()) {
            @SuppressWarnings("unchecked")
            List<Answer> answers = (List<Answer>) run.getValue()[1];
            BigDecimal charged = charged((UUID) run.getValue()[0]);
            long served = answers.stream().filter(answer -> answer.status() == 200).count();
            System.out.printf(
                    "Budget at the door (%s budget %s): %d served, %d refused, charged %s, overshoot %s "
                            + "(bound: one worst case, %s)%n",
                    run.getKey(), budget, served, answers.size() - served, charged, charged.subtract(budget),
                    worstCase);
            assertThat(served).as("%s budget: requests served", run.getKey()).isPositive();
            assertThat(charged).as("%s budget: charged", run.getKey()).isLessThanOrEqualTo(budget.add(worstCase));
            assertThat(answers).as("%s budget: refusals", run.getKey())
                .filteredOn(answer -> answer.status() != 200)
                .isNotEmpty()
                .allSatisfy(answer -> {
                    assertThat(answer.status()).isEqualTo(402);
                    assertThat(answer.body()).contains("budget_exceeded").contains("insufficient_quota");
                });
        }
    }

    private static final List<Map<String, String>> MESSAGES = List
        .of(Map.of("role", "user", "content", "Count to three."));

    private static final int MAX_TOKENS = 16;

    private record Answer(int status, String body) {
    }

    /**
     * {@code count} requests at once, alternating between the two gateways, whole and
     * streamed (with and without usage).
     */
    private static List<Answer> concurrently(String key, int count) {
        List<java.util.concurrent.CompletableFuture<Answer>> answers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int n = i;
            answers.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                Map<String, Object> body = new LinkedHashMap<>(
                        Map.of("model", Soak.MODEL, "max_tokens", MAX_TOKENS, "messages", MESSAGES));
                if (n % 3 > 0) {
                    body.put("stream", true);
                }
                if (n % 3 == 1) {
                    body.put("stream_options", Map.of("include_usage", true));
                }
                try {
                    HttpResponse<String> response = HTTP.send(HttpRequest
                        .newBuilder(URI.create(suite.url(Service.GATEWAY, n % 2) + "/v1/chat/completions"))
                        .timeout(Duration.ofSeconds(120))
                        .header("Authorization", "Bearer " + key)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(Api.JSON.writeValueAsString(body)))
                        .build(), HttpResponse.BodyHandlers.ofString());
                    return new Answer(response.statusCode(), response.body());
                }
                catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, CALLERS));
        }
        return answers.stream().map(java.util.concurrent.CompletableFuture::join).toList();
    }

    private static final java.util.concurrent.ExecutorService CALLERS = java.util.concurrent.Executors
        .newFixedThreadPool(50);

    private static boolean knowsBudget(int gateway, UUID department) {
        JsonNode lines = new Api(suite.url(Service.GATEWAY, gateway), suite.adminKey()).call("GET",
                "/api/gateway/budgets?departmentId=" + department, null, 200);
        return lines.size() == 1 && lines.get(0).get("enforced").asBoolean();
    }

    private static String key(UUID department, Map<String, Object> terms) {
        Map<String, Object> request = new LinkedHashMap<>(terms);
        request.putAll(Map.of("name", "door " + UUID.randomUUID(), "departmentId", department, "scopes",
                List.of("inference")));
        return admin.call("POST", "/api/keys", request, 201).get("secret").asString();
    }

    private static BigDecimal charged(UUID department) throws SQLException {
        try (Connection connection = suite.connect(Service.BILLING);
                java.sql.PreparedStatement statement = connection.prepareStatement(
                        "SELECT coalesce(sum(charge), 0) FROM department_spend WHERE department_id = ?")) {
            statement.setObject(1, department);
            try (ResultSet row = statement.executeQuery()) {
                row.next();
                return row.getBigDecimal(1);
            }
        }
    }

    // last: the agents' runs would otherwise still be adding usage while the books above
    // are compared
    @Test
    @Order(4)
    void twoAgentServiceReplicasNeverRunOneAgentTwiceAtOnce() throws Exception {
        UUID department = department("Replica agents", "1000000", false);
        List<String> agents = new ArrayList<>();
        for (int a = 0; a < 4; a++) {
            String agent = admin.call("POST", "/api/agents",
                    Map.of("name", "replica-agent-" + a, "departmentId", department, "model", Soak.MODEL,
                            "instructions", "Say one word.", "tools", List.of(), "trigger",
                            Map.of("kind", "LOOP", "intervalSeconds", 2), "limits",
                            Map.of("maxSteps", 1, "maxTokensPerRun", 500)),
                    201)
                .get("id")
                .asString();
            admin.call("POST", "/api/agents/" + agent + "/activate", null, 200);
            agents.add(agent);
        }
        Awaitility.await("runs on both replicas")
            .atMost(Duration.ofMinutes(2))
            .pollInterval(Duration.ofSeconds(1))
            .until(() -> count(Service.AGENTS,
                    "SELECT count(DISTINCT ran_by) FROM agent_run WHERE status = 'SUCCEEDED'") >= 2
                    && count(Service.AGENTS, "SELECT count(*) FROM agent_run WHERE status = 'SUCCEEDED'") >= 24);
        for (String agent : agents) {
            admin.call("POST", "/api/agents/" + agent + "/pause", null, 200);
        }
        assertThat(count(Service.AGENTS, """
                SELECT count(*) FROM agent_run a JOIN agent_run b ON a.agent_id = b.agent_id AND a.id < b.id
                WHERE a.started_at IS NOT NULL AND b.started_at IS NOT NULL
                  AND tstzrange(a.started_at, coalesce(a.finished_at, 'infinity')) &&
                      tstzrange(b.started_at, coalesce(b.finished_at, 'infinity'))"""))
            .as("pairs of runs of one agent that overlapped in time")
            .isZero();
    }

    private static UUID department(String name, String budget, boolean hardCap) {
        return UUID.fromString(
                admin
                    .call("POST", "/api/billing/departments",
                            Map.of("name", name, "costCentreCode", "CC-" + name.replace(' ', '-'), "monthlyBudget",
                                    budget, "softAlertPercent", 50, "hardCap", hardCap),
                            201)
                    .get("id")
                    .asString());
    }

    private static HttpResponse<String> complete(String gateway, String key, int maxTokens) throws Exception {
        String body = Api.JSON.writeValueAsString(Map.of("model", Soak.MODEL, "max_tokens", maxTokens, "messages",
                List.of(Map.of("role", "user", "content", "Count to three."))));
        return HTTP.send(HttpRequest.newBuilder(URI.create(gateway + "/v1/chat/completions"))
            .timeout(Duration.ofSeconds(60))
            .header("Authorization", "Bearer " + key)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static List<String> announcements(UUID department) throws SQLException {
        List<String> states = new ArrayList<>();
        try (Connection connection = suite.connect(Service.BILLING);
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(
                        """
                                SELECT serialized_event::json ->> 'state' FROM (
                                    SELECT event_type, serialized_event, publication_date FROM event_publication
                                    UNION ALL SELECT event_type, serialized_event, publication_date FROM event_publication_archive) p
                                WHERE event_type LIKE '%BudgetStatusChanged%' AND serialized_event::json ->> 'departmentId' = '"""
                                + department + "' ORDER BY publication_date")) {
            while (rows.next()) {
                states.add(rows.getString(1));
            }
        }
        return states;
    }

    private static long count(Service service, String sql) throws SQLException {
        return suite.count(service, sql);
    }

}
