package io.tokenfactory.system.soak;

import static org.assertj.core.api.Assertions.assertThat;

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

/**
 * Two instances each of gateway, agent-service, metering-service and billing-service (and
 * one inference-service) as processes on one PostgreSQL, one broker and one Redis: a
 * key's limit holds across both gateways, usage consumed by competing metering and
 * billing replicas is counted once, a budget crossing is announced once and enforced by
 * both gateways, and the two agent-service replicas never run one agent twice at once.
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
        // at 1,000 per million tokens a request of about 45 tokens costs 0.045: the
        // budget of 0.5 is crossed after
        // about a dozen of them, its soft threshold (50 %) after about six
        UUID department = department("Replica budget", "0.5", true);
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
        assertThat(served).as("requests served before the budget was found exceeded").isPositive();

        Awaitility.await("both gateways refuse the department over its hard-capped budget")
            .atMost(Duration.ofMinutes(1))
            .pollInterval(Duration.ofSeconds(1))
            .until(() -> complete(suite.url(Service.GATEWAY, 0), key, 1).statusCode() == 429
                    && complete(suite.url(Service.GATEWAY, 1), key, 1).statusCode() == 429);

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
    }

    // last: the agents' runs would otherwise still be adding usage while the books above
    // are compared
    @Test
    @Order(3)
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
