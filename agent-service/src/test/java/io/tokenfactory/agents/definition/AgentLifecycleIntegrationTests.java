package io.tokenfactory.agents.definition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tokenfactory.contracts.BudgetState;
import io.tokenfactory.contracts.BudgetStatusChanged;
import io.tokenfactory.contracts.CloudEventAttributes;
import io.tokenfactory.contracts.EventTypes;
import io.tokenfactory.support.events.CloudEventMessages;
import io.tokenfactory.testsupport.HttpTestClient;
import io.tokenfactory.testsupport.ServiceIntegrationTest;
import io.tokenfactory.testsupport.TestDeadLetters;
import io.tokenfactory.testsupport.TestEventBroker;
import io.tokenfactory.testsupport.TestTokens;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;

import tools.jackson.databind.JsonNode;

/**
 * Agents' definitions, versions and lifecycle: the state machine refuses illegal moves
 * with 409, every move is recorded and published, a department sees only its own agents,
 * and budget reports pause and resume exactly the agents they concern.
 */
@ServiceIntegrationTest
class AgentLifecycleIntegrationTests {

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    StreamBridge streamBridge;

    @Test
    void movesThroughItsLifecycleAndRefusesIllegalTransitions() {
        UUID department = UUID.randomUUID();
        HttpTestClient client = HttpTestClient.onPort(port)
            .withToken(TestTokens.department(department, "agents:read agents:write"));
        ResponseEntity<JsonNode> created = client.post("/api/agents", agent("triage"));
        assertThat(created.getStatusCode()).isEqualTo(HttpStatus.CREATED);
        assertThat(created.getBody().get("state").asString()).isEqualTo("DRAFT");
        assertThat(created.getBody().get("departmentId").asString()).isEqualTo(department.toString());
        String id = created.getBody().get("id").asString();

        assertProblem(client.post("/api/agents/" + id + "/pause", null), HttpStatus.CONFLICT, "illegal_transition");
        assertProblem(client.post("/api/agents/" + id + "/resume", null), HttpStatus.CONFLICT, "illegal_transition");
        assertThat(state(client.post("/api/agents/" + id + "/activate", null))).isEqualTo("ACTIVE");
        assertProblem(client.post("/api/agents/" + id + "/activate", null), HttpStatus.CONFLICT, "illegal_transition");
        assertThat(state(client.post("/api/agents/" + id + "/pause", null))).isEqualTo("PAUSED");
        assertThat(state(client.post("/api/agents/" + id + "/resume", null))).isEqualTo("ACTIVE");

        // an edit is a new version; the old one stays readable
        Map<String, Object> edited = agent("triage");
        edited.put("instructions", "Sort incoming tickets by urgency, then summarise.");
        ResponseEntity<JsonNode> v2 = client.put("/api/agents/" + id, edited);
        assertThat(v2.getBody().get("version").asInt()).isEqualTo(2);
        assertThat(client.get("/api/agents/" + id + "/versions").getBody()).hasSize(2);

        assertThat(state(client.post("/api/agents/" + id + "/retire", null))).isEqualTo("RETIRED");
        assertProblem(client.post("/api/agents/" + id + "/activate", null), HttpStatus.CONFLICT, "illegal_transition");
        assertProblem(client.put("/api/agents/" + id, edited), HttpStatus.CONFLICT, "agent_retired");

        assertThat(jdbc.queryForList(
                "SELECT to_state FROM agent_state_history WHERE agent_id = ?::uuid ORDER BY changed_at", String.class,
                id))
            .containsExactly("DRAFT", "ACTIVE", "PAUSED", "ACTIVE", "RETIRED");
        // every move went into the outbox as agent-state-changed
        assertThat(jdbc.queryForObject(
                "SELECT (SELECT count(*) FROM event_publication WHERE serialized_event LIKE ?)"
                        + " + (SELECT count(*) FROM event_publication_archive WHERE serialized_event LIKE ?)",
                Long.class, "%" + id + "%", "%" + id + "%"))
            .isEqualTo(5);
    }

    @Test
    void refusesInvalidDefinitionsAndOtherDepartments() {
        UUID department = UUID.randomUUID();
        HttpTestClient client = HttpTestClient.onPort(port)
            .withToken(TestTokens.department(department, "agents:read agents:write"));
        Map<String, Object> badTool = agent("bad-tool");
        badTool.put("tools", List.of("rm_rf"));
        assertProblem(client.post("/api/agents", badTool), HttpStatus.BAD_REQUEST, "invalid_agent");
        Map<String, Object> badCron = agent("bad-cron");
        badCron.put("trigger", Map.of("kind", "CRON", "cron", "every tuesday"));
        assertProblem(client.post("/api/agents", badCron), HttpStatus.BAD_REQUEST, "invalid_agent");
        Map<String, Object> badZone = agent("bad-zone");
        badZone.put("trigger", Map.of("kind", "CRON", "cron", "0 0 9 * * MON-FRI", "timeZone", "Mars/Olympus"));
        assertProblem(client.post("/api/agents", badZone), HttpStatus.BAD_REQUEST, "invalid_agent");
        Map<String, Object> noInterval = agent("no-interval");
        noInterval.put("trigger", Map.of("kind", "LOOP"));
        assertProblem(client.post("/api/agents", noInterval), HttpStatus.BAD_REQUEST, "invalid_agent");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM agent WHERE department_id = ?", Long.class, department))
            .isZero();

        String id = client.post("/api/agents", agent("mine")).getBody().get("id").asString();
        assertProblem(client.post("/api/agents", agent("MINE")), HttpStatus.CONFLICT, "agent_exists");
        HttpTestClient other = HttpTestClient.onPort(port)
            .withToken(TestTokens.department(UUID.randomUUID(), "agents:read agents:write"));
        assertThat(other.get("/api/agents/" + id).getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(other.post("/api/agents/" + id + "/activate", null).getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(other.get("/api/agents?department=" + department).getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(client.get("/api/agents").getBody()).hasSize(1);
        assertThat(client.get("/api/agents/" + UUID.randomUUID()).getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
    }

    @Test
    void budgetExceededPausesTheDepartmentsAgentsAndOkResumesOnlyThosePausedForIt() {
        UUID department = UUID.randomUUID();
        HttpTestClient client = HttpTestClient.onPort(port)
            .withToken(TestTokens.department(department, "agents:read agents:write"));
        String running = client.post("/api/agents", agent("running")).getBody().get("id").asString();
        String pausedByHand = client.post("/api/agents", agent("paused-by-hand")).getBody().get("id").asString();
        client.post("/api/agents/" + running + "/activate", null);
        client.post("/api/agents/" + pausedByHand + "/activate", null);
        client.post("/api/agents/" + pausedByHand + "/pause", null);
        String elsewhere = HttpTestClient.onPort(port)
            .withToken(TestTokens.department(UUID.randomUUID(), "agents:read agents:write"))
            .post("/api/agents", agent("elsewhere"))
            .getBody()
            .get("id")
            .asString();

        report(department, BudgetState.EXCEEDED);
        report(department, BudgetState.EXCEEDED);
        await().atMost(Duration.ofSeconds(20)).until(() -> "PAUSED".equals(stateOf(running)));
        assertThat(jdbc.queryForObject("SELECT state_reason FROM agent WHERE id = ?::uuid", String.class, running))
            .isEqualTo("budget");

        report(department, BudgetState.OK);
        await().atMost(Duration.ofSeconds(20)).until(() -> "ACTIVE".equals(stateOf(running)));
        assertThat(stateOf(pausedByHand)).isEqualTo("PAUSED");
        assertThat(stateOf(elsewhere)).isEqualTo("DRAFT");
        // paused once, resumed once, however often the report came
        assertThat(jdbc.queryForList(
                "SELECT to_state FROM agent_state_history WHERE agent_id = ?::uuid ORDER BY changed_at", String.class,
                running))
            .containsExactly("DRAFT", "ACTIVE", "PAUSED", "ACTIVE");
    }

    @Test
    void parksAnUnreadableBudgetReportWithItsReasonWhileTheNextReportsFlow() {
        UUID department = UUID.randomUUID();
        HttpTestClient client = HttpTestClient.onPort(port)
            .withToken(TestTokens.department(department, "agents:read agents:write"));
        String running = client.post("/api/agents", agent("running")).getBody().get("id").asString();
        client.post("/api/agents/" + running + "/activate", null);
        String poison = UUID.randomUUID().toString();

        TestEventBroker.sendRaw("tokenfactory.budget-status-changed", "{\"departmentId\": \"" + department,
                Map.of(CloudEventAttributes.TYPE, EventTypes.BUDGET_STATUS_CHANGED, CloudEventAttributes.ID, poison));
        report(department, BudgetState.EXCEEDED);

        await().atMost(Duration.ofSeconds(20)).until(() -> "PAUSED".equals(stateOf(running)));
        HttpTestClient admin = HttpTestClient.onPort(port).asAdmin();
        await().atMost(Duration.ofSeconds(20))
            .until(() -> TestDeadLetters.find(admin, "/api/dead-letters", poison) != null);
        JsonNode dead = TestDeadLetters.find(admin, "/api/dead-letters", poison);
        assertThat(dead.path("reason").asString()).contains("payload is not a readable budget-status-changed record");
        assertThat(dead.path("group").asString()).isEqualTo("agent-service");
        assertThat(dead.path("tries").asInt()).isEqualTo(1);
        assertThat(admin.get("/api/dead-letters/" + dead.path("id").asString()).getBody().path("body").asString())
            .isEqualTo("{\"departmentId\": \"" + department);
        assertThat(client.get("/api/dead-letters").getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
    }

    private void report(UUID department, BudgetState state) {
        BudgetStatusChanged event = new BudgetStatusChanged(UUID.randomUUID(), Instant.now(), department, "2026-11",
                new BigDecimal("10.00"), new BigDecimal("10"), "EUR", state, true);
        assertThat(streamBridge.send("tokenfactory.budget-status-changed",
                CloudEventMessages.toMessage(event, "urn:tokenfactory:billing-service")))
            .isTrue();
    }

    private String stateOf(String id) {
        return jdbc.queryForObject("SELECT state FROM agent WHERE id = ?::uuid", String.class, id);
    }

    @Test
    void everyChangeToAnAgentIsInTheAuditTrailWithItsKeyAndStates() {
        UUID department = UUID.randomUUID();
        HttpTestClient client = HttpTestClient.onPort(port)
            .withToken(TestTokens.department(department, "agents:read agents:write"));
        String id = client.post("/api/agents", agent("audited")).getBody().get("id").asString();
        Map<String, Object> edited = agent("audited");
        edited.put("instructions", "Summarise the week's support tickets.");
        client.put("/api/agents/" + id, edited);
        client.post("/api/agents/" + id + "/activate", null);
        client.post("/api/agents/" + id + "/pause", null);

        HttpTestClient admin = HttpTestClient.onPort(port).asAdmin();
        List<JsonNode> trail = admin.get("/api/audit?subject=" + id).getBody().valueStream().toList();
        assertThat(trail).extracting(record -> record.get("action").asString())
            .containsExactly("agent.state-changed", "agent.state-changed", "agent.edited", "agent.created");
        assertThat(trail).allSatisfy(record -> {
            assertThat(record.get("actorKind").asString()).isEqualTo("API_KEY");
            assertThat(record.get("actorDepartment").asString()).isEqualTo(department.toString());
            assertThat(record.get("departmentId").asString()).isEqualTo(department.toString());
        });
        assertThat(trail.get(0).get("before").asString()).contains("ACTIVE");
        assertThat(trail.get(0).get("after").asString()).contains("PAUSED");
        assertThat(trail.get(2).get("before").asString()).contains("day's support tickets");
        assertThat(trail.get(2).get("after").asString()).contains("week's support tickets");
        assertThat(client.get("/api/audit").getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
    }

    private static Map<String, Object> agent(String name) {
        Map<String, Object> body = new HashMap<>();
        body.put("name", name);
        body.put("model", "byte-lm-moby");
        body.put("instructions", "Summarise the day's support tickets.");
        body.put("tools", List.of("current_time", "remember", "recall"));
        body.put("trigger", Map.of("kind", "LOOP", "intervalSeconds", 60));
        body.put("limits", Map.of("maxSteps", 5, "maxTokensPerRun", 4000));
        body.put("overlapPolicy", "SKIP");
        return body;
    }

    private static String state(ResponseEntity<JsonNode> response) {
        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
        return response.getBody().get("state").asString();
    }

    private static void assertProblem(ResponseEntity<JsonNode> response, HttpStatus status, String code) {
        assertThat(response.getStatusCode()).isEqualTo(status);
        assertThat(response.getBody().get("code").asString()).isEqualTo(code);
    }

}
