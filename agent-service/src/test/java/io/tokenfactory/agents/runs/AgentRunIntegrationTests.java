package io.tokenfactory.agents.runs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.micrometer.core.instrument.MeterRegistry;

import io.tokenfactory.agents.AgentProperties;
import io.tokenfactory.agents.keys.AgentCredentials;
import io.tokenfactory.agents.StubGateway;
import io.tokenfactory.testsupport.HttpTestClient;
import io.tokenfactory.testsupport.ServiceIntegrationTest;
import io.tokenfactory.testsupport.TestTokens;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;

import tools.jackson.databind.JsonNode;

/**
 * Runs against a stub of the gateway (an OpenAI-compatible model that calls tools): the
 * tool loop, the agent's own key, overlap policies, failures and backoff, unavailable
 * inference, two replicas, orphans and catch-up.
 */
@ServiceIntegrationTest
class AgentRunIntegrationTests {

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    RunQueue queue;

    @Autowired
    RunRecords records;

    @Autowired
    RunExecutor executor;

    @Autowired
    InferenceAvailability inference;

    @Autowired
    AgentCredentials credentials;

    @Autowired
    AgentProperties properties;

    @Autowired
    MeterRegistry meters;

    final StubGateway gateway = StubGateway.shared();

    UUID department;

    HttpTestClient client;

    @BeforeEach
    void department() {
        department = UUID.randomUUID();
        client = HttpTestClient.onPort(port).withToken(TestTokens.department(department, "agents:read agents:write"));
    }

    @Test
    void aToolCallingLoopCompletesWithTheAgentsOwnKeyAndRecordsStepsAndTokens() {
        String agent = activeAgent("researcher", "tool-caller", manual(), List.of("remember", "http_get"), "QUEUE_ONE");

        ResponseEntity<JsonNode> started = client.post("/api/agents/" + agent + "/runs", Map.of("input", "Say hello"));
        assertThat(started.getStatusCode()).isEqualTo(HttpStatus.ACCEPTED);
        String run = started.getBody().get("id").asString();
        JsonNode finished = awaitRun(agent, run, "SUCCEEDED");

        JsonNode detail = finished.get("run");
        assertThat(detail.get("steps").asInt()).isEqualTo(2);
        assertThat(detail.get("promptTokens").asLong()).isEqualTo(250);
        assertThat(detail.get("completionTokens").asLong()).isEqualTo(30);
        assertThat(detail.get("output").asString()).contains("remembered greeting")
            .contains("not on this agent's allow-list");
        JsonNode calls = detail.get("stepDetails").get(0).get("toolCalls");
        assertThat(calls.get(0).get("name").asString()).isEqualTo("remember");
        assertThat(calls.get(0).get("error").asBoolean()).isFalse();
        assertThat(calls.get(1).get("name").asString()).isEqualTo("http_get");
        assertThat(calls.get(1).get("error").asBoolean()).isTrue();
        assertThat(detail.get("stepDetails").get(1).get("finishReason").asString()).isEqualTo("stop");
        assertThat(jdbc.queryForObject("SELECT value FROM agent_memory WHERE agent_id = ?::uuid", String.class, agent))
            .isEqualTo("hello");

        // joules and cost from billing, asked with the caller's own token, passed on as
        // exact decimals
        assertThat(finished.at("/accounting/cost").decimalValue()).isEqualByComparingTo("0.000000998385");
        assertThat(client.getText("/api/agents/" + agent + "/runs/" + run).getBody())
            .contains("\"cost\":0.000000998385");
        assertThat(gateway.billingCallers.get(gateway.billingCallers.size() - 1)).startsWith("Bearer ey");

        // its own key: issued once for this agent and its department, sent with the run
        // id, stored only encrypted
        List<JsonNode> issued = gateway.keyRequests.stream()
            .filter(key -> key.path("agentId").asString().equals(agent))
            .toList();
        assertThat(issued).hasSize(1);
        assertThat(issued.get(0).get("departmentId").asString()).isEqualTo(department.toString());
        assertThat(issued.get(0).get("scopes").toString()).isEqualTo("[\"inference\"]");
        List<StubGateway.Completion> sent = gateway.completions.stream()
            .filter(c -> run.equals(c.agentRunId()))
            .toList();
        assertThat(sent).hasSize(2).allSatisfy(c -> assertThat(gateway.agentOf(c.authorization())).isEqualTo(agent));
        assertThat(sent.get(0).body().get("tools").size()).isEqualTo(2);
        assertThat(sent.get(0).body().get("messages").get(1).get("content").asString()).isEqualTo("Say hello");
        String secret = sent.get(0).authorization().substring("Bearer ".length());
        byte[] stored = jdbc.queryForObject("SELECT secret FROM agent_credential WHERE agent_id = ?::uuid",
                byte[].class, agent);
        assertThat(new String(stored, java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain(secret);

        // the next run reuses the key and starts with what the agent remembered
        String second = client.post("/api/agents/" + agent + "/runs", Map.of()).getBody().get("id").asString();
        awaitRun(agent, second, "SUCCEEDED");
        assertThat(gateway.keyRequests.stream().filter(key -> key.path("agentId").asString().equals(agent))).hasSize(1);
        StubGateway.Completion next = gateway.completions.stream()
            .filter(c -> second.equals(c.agentRunId()))
            .findFirst()
            .orElseThrow();
        assertThat(next.body().get("messages").get(0).get("content").asString()).contains("greeting: hello");

        // another department sees nothing of it
        HttpTestClient other = HttpTestClient.onPort(port)
            .withToken(TestTokens.department(UUID.randomUUID(), "agents:read agents:write"));
        assertThat(other.get("/api/agents/" + agent + "/runs").getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(other.post("/api/agents/" + agent + "/runs", Map.of()).getStatusCode())
            .isEqualTo(HttpStatus.FORBIDDEN);
    }

    @Test
    void overlapPoliciesBehaveAsNamed() {
        // SKIP: a request while a run is going is refused
        String skip = activeAgent("skipper", "slow-1500", manual(), List.of(), "SKIP");
        String first = client.post("/api/agents/" + skip + "/runs", Map.of()).getBody().get("id").asString();
        awaitRun(skip, first, "RUNNING");
        assertProblem(client.post("/api/agents/" + skip + "/runs", Map.of()), HttpStatus.CONFLICT, "run_in_progress");

        // QUEUE_ONE: one waits, a third is refused; the waiting one starts only after the
        // first ended
        String queueOne = activeAgent("queuer", "slow-800", manual(), List.of(), "QUEUE_ONE");
        String a = client.post("/api/agents/" + queueOne + "/runs", Map.of()).getBody().get("id").asString();
        awaitRun(queueOne, a, "RUNNING");
        ResponseEntity<JsonNode> b = client.post("/api/agents/" + queueOne + "/runs", Map.of());
        assertThat(b.getStatusCode()).isEqualTo(HttpStatus.ACCEPTED);
        assertThat(b.getBody().get("status").asString()).isEqualTo("QUEUED");
        assertProblem(client.post("/api/agents/" + queueOne + "/runs", Map.of()), HttpStatus.CONFLICT,
                "run_already_queued");
        JsonNode firstDone = awaitRun(queueOne, a, "SUCCEEDED").get("run");
        JsonNode secondDone = awaitRun(queueOne, b.getBody().get("id").asString(), "SUCCEEDED").get("run");
        assertThat(Instant.parse(secondDone.get("startedAt").asString()))
            .isAfterOrEqualTo(Instant.parse(firstDone.get("finishedAt").asString()));

        // CANCEL_RUNNING: the running one is cancelled at once, the new one runs
        String canceller = activeAgent("canceller", "slow-30000", manual(), List.of(), "CANCEL_RUNNING");
        String old = client.post("/api/agents/" + canceller + "/runs", Map.of()).getBody().get("id").asString();
        awaitRun(canceller, old, "RUNNING");
        long asked = System.nanoTime();
        String replacement = client.post("/api/agents/" + canceller + "/runs", Map.of()).getBody().get("id").asString();
        awaitRun(canceller, old, "CANCELLED");
        awaitRun(canceller, replacement, "RUNNING");
        assertThat(Duration.ofNanos(System.nanoTime() - asked)).isLessThan(Duration.ofSeconds(10));
        client.post("/api/agents/" + canceller + "/pause", null);
        awaitRun(canceller, replacement, "CANCELLED");

        // SKIP on a schedule: fires during a run are counted as skipped, never queued
        String looping = activeAgent("looper", "slow-1200", Map.of("kind", "LOOP", "intervalSeconds", 1), List.of(),
                "SKIP");
        await().atMost(Duration.ofSeconds(20))
            .until(() -> client.get("/api/agents/" + looping + "/schedule")
                .getBody()
                .get("skippedFires")
                .asLong() >= 1);
        assertThat(client.get("/api/agents/" + looping + "/runs?status=QUEUED").getBody().size()).isZero();
        client.post("/api/agents/" + looping + "/pause", null);
    }

    @Test
    void failuresBackOffAndPauseTheAgentAfterTheLimit() {
        String agent = activeAgent("crasher", "broken", Map.of("kind", "LOOP", "intervalSeconds", 1), List.of(),
                "SKIP");

        await().atMost(Duration.ofSeconds(30)).until(() -> state(agent).equals("PAUSED"));
        JsonNode body = client.get("/api/agents/" + agent).getBody();
        assertThat(body.get("stateReason").asString()).isEqualTo("failures");
        JsonNode runs = client.get("/api/agents/" + agent + "/runs").getBody();
        assertThat(runs.size()).isEqualTo(3);
        runs.forEach(run -> assertThat(run.get("status").asString()).isEqualTo("FAILED"));
        assertThat(runs.get(0).get("error").asString()).contains("500").contains("the model crashed");
        // the retries were marked as such
        assertThat(runs.get(0).get("trigger").asString()).isEqualTo("RETRY");
        assertThat(client.get("/api/agents/" + agent + "/schedule").getBody().get("consecutiveFailures").asInt())
            .isEqualTo(3);
    }

    @Test
    void unavailableInferenceBacksOffWithoutSpendingRetries() {
        String agent = activeAgent("patient", "down", Map.of("kind", "LOOP", "intervalSeconds", 1), List.of(), "SKIP");

        await().atMost(Duration.ofSeconds(20))
            .until(() -> client.get("/api/agents/" + agent + "/runs").getBody().size() >= 4);
        client.post("/api/agents/" + agent + "/pause", null);
        JsonNode runs = client.get("/api/agents/" + agent + "/runs").getBody();
        runs.forEach(run -> assertThat(run.get("status").asString()).isIn("INFERENCE_UNAVAILABLE", "CANCELLED"));
        assertThat(client.get("/api/agents/" + agent).getBody().get("stateReason").asString()).isEqualTo("manual");
        assertThat(client.get("/api/agents/" + agent + "/schedule").getBody().get("consecutiveFailures").asInt())
            .isZero();
    }

    @Test
    void twoReplicasNeverRunOneAgentTwiceAtOnce() {
        RunDispatcher second = new RunDispatcher(queue, records, executor, inference, credentials, properties, meters);
        second.start();
        try {
            List<String> agents = new java.util.ArrayList<>();
            for (int i = 0; i < 6; i++) {
                agents.add(activeAgent("replicated-" + i, "slow-300", Map.of("kind", "LOOP", "intervalSeconds", 1),
                        List.of(), "QUEUE_ONE"));
            }
            await().atMost(Duration.ofSeconds(60))
                .until(() -> jdbc.queryForObject(
                        """
                                SELECT count(DISTINCT ran_by) FROM agent_run WHERE department_id = ? AND status = 'SUCCEEDED'""",
                        Integer.class, department) == 2 && finishedRuns() >= 30);
            agents.forEach(agent -> client.post("/api/agents/" + agent + "/pause", null));
        }
        finally {
            second.stop();
        }
        // no two runs of one agent overlap in time, and the stub never saw one agent's
        // key twice at once
        Integer overlapping = jdbc.queryForObject("""
                SELECT count(*) FROM agent_run a JOIN agent_run b ON a.agent_id = b.agent_id AND a.id <> b.id
                WHERE a.department_id = ? AND a.started_at < b.finished_at AND b.started_at < a.finished_at""",
                Integer.class, department);
        assertThat(overlapping).isZero();
        gateway.completions.stream()
            .filter(c -> c.body().path("model").asString().equals("slow-300"))
            .map(StubGateway.Completion::authorization)
            .distinct()
            .forEach(key -> assertThat(gateway.mostInFlight.get(key).get()).isEqualTo(1));
    }

    @Test
    void aRunOrphanedByADeadReplicaIsDetectedAndCountsAsAFailure() {
        String agent = activeAgent("orphaned", "slow-10", manual(), List.of(), "SKIP");
        UUID run = UUID.randomUUID();
        Instant claimed = Instant.now().minusSeconds(5);
        // a replica took the run, renewed its lease until 3 s ago, then died
        jdbc.update(
                """
                        INSERT INTO agent_run (id, agent_id, department_id, agent_version, trigger_kind, status, scheduled_for,
                            queued_at, started_at, heartbeat_at, lease_owner, ran_by, lease_expires_at)
                        VALUES (?, ?::uuid, ?, 1, 'MANUAL', 'RUNNING', ?, ?, ?, ?, 'replica-that-died', 'replica-that-died', ?)""",
                run, agent, department, Timestamp.from(claimed), Timestamp.from(claimed), Timestamp.from(claimed),
                Timestamp.from(claimed), Timestamp.from(Instant.now().minusSeconds(3)));

        JsonNode orphaned = awaitRun(agent, run.toString(), "ORPHANED").get("run");
        assertThat(orphaned.get("error").asString()).contains("replica-that-died");
        assertThat(client.get("/api/agents/" + agent + "/schedule").getBody().get("consecutiveFailures").asInt())
            .isEqualTo(1);
        // the agent is free to run again
        String next = client.post("/api/agents/" + agent + "/runs", Map.of()).getBody().get("id").asString();
        awaitRun(agent, next, "SUCCEEDED");
    }

    @Test
    void aRunPastItsTimeoutIsCancelledAndCountsAsAFailure() {
        String agent = activeAgent("dawdler", "slow-30000", manual(), List.of(), "SKIP");
        String run = client.post("/api/agents/" + agent + "/runs", Map.of()).getBody().get("id").asString();

        JsonNode timedOut = awaitRun(agent, run, "TIMED_OUT").get("run");
        long ranFor = Duration
            .between(Instant.parse(timedOut.get("startedAt").asString()),
                    Instant.parse(timedOut.get("finishedAt").asString()))
            .toMillis();
        assertThat(ranFor).isBetween(properties.runs().timeout().toMillis(),
                properties.runs().timeout().toMillis() + 2_000);
        assertThat(client.get("/api/agents/" + agent + "/schedule").getBody().get("consecutiveFailures").asInt())
            .isEqualTo(1);
    }

    @Test
    void transcriptsPastTheirRetentionAreDeletedAndTheTotalsStay() {
        String agent = activeAgent("archivist", "tool-caller", manual(), List.of("remember", "http_get"), "SKIP");
        String run = client.post("/api/agents/" + agent + "/runs", Map.of("input", "old news"))
            .getBody()
            .get("id")
            .asString();
        awaitRun(agent, run, "SUCCEEDED");
        jdbc.update("UPDATE agent_run SET finished_at = ? WHERE id = ?::uuid",
                Timestamp.from(Instant.now().minus(properties.runs().transcriptRetention()).minusSeconds(60)), run);

        await().atMost(Duration.ofSeconds(10))
            .until(() -> jdbc.queryForObject("SELECT transcript_purged FROM agent_run WHERE id = ?::uuid",
                    Boolean.class, run));
        JsonNode purged = client.get("/api/agents/" + agent + "/runs/" + run).getBody().get("run");
        assertThat(purged.get("stepDetails").size()).isZero();
        assertThat(purged.get("input")).isNull();
        assertThat(purged.get("totalTokens").asLong()).isEqualTo(280);
        assertThat(purged.get("steps").asInt()).isEqualTo(2);
    }

    @Test
    void missedCronFiresAfterDowntimeFollowTheCatchUpWindow() {
        String agent = activeAgent("nightly", "slow-10",
                Map.of("kind", "CRON", "cron", "0 0 3 * * *", "timeZone", "UTC"), List.of(), "SKIP");
        Instant nextThree = Instant
            .parse(client.get("/api/agents/" + agent + "/schedule").getBody().get("nextFireAt").asString());
        assertThat(nextThree.atZone(java.time.ZoneOffset.UTC).getHour()).isEqualTo(3);

        // down 10 minutes across its fire: inside the catch-up window, it runs once at
        // start
        jdbc.update("UPDATE agent_schedule SET next_fire_at = ? WHERE agent_id = ?::uuid",
                Timestamp.from(Instant.now().minus(10, ChronoUnit.MINUTES)), agent);
        await().atMost(Duration.ofSeconds(10))
            .until(() -> client.get("/api/agents/" + agent + "/runs?status=SUCCEEDED").getBody().size() == 1);
        assertThat(
                Instant.parse(client.get("/api/agents/" + agent + "/schedule").getBody().get("nextFireAt").asString()))
            .isEqualTo(nextThree);

        // down two days (window: one hour): its two fires are skipped and counted as
        // missed, whatever the time of
        // day the test runs at (the schedule is set to a real fire time, two days before
        // the next one)
        long missedBefore = client.get("/api/agents/" + agent + "/schedule").getBody().get("missedFires").asLong();
        jdbc.update("UPDATE agent_schedule SET next_fire_at = ? WHERE agent_id = ?::uuid",
                Timestamp.from(nextThree.minus(2, ChronoUnit.DAYS)), agent);
        await().atMost(Duration.ofSeconds(10))
            .until(() -> client.get("/api/agents/" + agent + "/schedule")
                .getBody()
                .get("missedFires")
                .asLong() == missedBefore + 2);
        assertThat(
                Instant.parse(client.get("/api/agents/" + agent + "/schedule").getBody().get("nextFireAt").asString()))
            .isEqualTo(nextThree);
        assertThat(client.get("/api/agents/" + agent + "/runs").getBody().size()).isEqualTo(1);
        client.post("/api/agents/" + agent + "/pause", null);
    }

    @Test
    void anAgentsOwnDailyRunsAndMonthlyTokensAreLimits() {
        Map<String, Object> oncePerDay = definition("once-a-day", "slow-10", manual(), List.of(), "QUEUE_ONE");
        oncePerDay.put("limits", Map.of("maxRunsPerDay", 1));
        String daily = client.post("/api/agents", oncePerDay).getBody().get("id").asString();
        client.post("/api/agents/" + daily + "/activate", null);
        awaitRun(daily, client.post("/api/agents/" + daily + "/runs", Map.of()).getBody().get("id").asString(),
                "SUCCEEDED");
        assertProblem(client.post("/api/agents/" + daily + "/runs", Map.of()), HttpStatus.TOO_MANY_REQUESTS,
                "daily_run_limit");

        Map<String, Object> frugal = definition("frugal", "slow-10", manual(), List.of(), "QUEUE_ONE");
        frugal.put("limits", Map.of("monthlyTokenBudget", 10));
        String budgeted = client.post("/api/agents", frugal).getBody().get("id").asString();
        client.post("/api/agents/" + budgeted + "/activate", null);
        // the stub answers with 15 tokens: the first run may start, the budget is spent
        // after it
        awaitRun(budgeted, client.post("/api/agents/" + budgeted + "/runs", Map.of()).getBody().get("id").asString(),
                "SUCCEEDED");
        assertProblem(client.post("/api/agents/" + budgeted + "/runs", Map.of()), HttpStatus.TOO_MANY_REQUESTS,
                "agent_token_budget");
    }

    @Test
    void answersBadRunRequestsWithProblems() {
        String draft = client.post("/api/agents", definition("drafty", "slow-10", manual(), List.of(), "SKIP"))
            .getBody()
            .get("id")
            .asString();
        assertProblem(client.post("/api/agents/" + draft + "/runs", Map.of()), HttpStatus.CONFLICT, "agent_not_active");
        assertProblem(client.post("/api/agents/" + draft + "/webhook", Map.of("x", 1)), HttpStatus.CONFLICT,
                "not_a_webhook_agent");
        assertThat(client.get("/api/agents/" + draft + "/runs?limit=0").getStatusCode())
            .isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(client.get("/api/agents/" + draft + "/runs?status=NAPPING").getStatusCode())
            .isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(client.get("/api/agents/" + draft + "/runs/" + UUID.randomUUID()).getStatusCode())
            .isEqualTo(HttpStatus.NOT_FOUND);

        String hook = activeAgent("hooked", "slow-10", Map.of("kind", "WEBHOOK"), List.of(), "QUEUE_ONE");
        ResponseEntity<JsonNode> called = client.post("/api/agents/" + hook + "/webhook", Map.of("ticket", 42));
        assertThat(called.getStatusCode()).isEqualTo(HttpStatus.ACCEPTED);
        awaitRun(hook, called.getBody().get("id").asString(), "SUCCEEDED");
        assertThat(gateway.completions.stream()
            .filter(c -> called.getBody().get("id").asString().equals(c.agentRunId()))
            .findFirst()
            .orElseThrow()
            .body()
            .get("messages")
            .get(1)
            .get("content")
            .asString()).isEqualTo("{\"ticket\":42}");
    }

    private long finishedRuns() {
        return jdbc.queryForObject("SELECT count(*) FROM agent_run WHERE department_id = ? AND status = 'SUCCEEDED'",
                Long.class, department);
    }

    @Test
    void anAgentsCostTagsAreItsKeysAndFollowItsEdits() {
        Map<String, Object> tagged = definition("tagger", "plain", manual(), List.of(), "SKIP");
        tagged.put("tags", Map.of("team", "search", "costcode", "CC-7"));
        ResponseEntity<JsonNode> created = client.post("/api/agents", tagged);
        assertThat(created.getStatusCode()).isEqualTo(HttpStatus.CREATED);
        assertThat(created.getBody().at("/definition/tags/costcode").asString()).isEqualTo("CC-7");
        String agent = created.getBody().get("id").asString();
        client.post("/api/agents/" + agent + "/activate", null);

        // refused: a key the gateway's administrator has not allowed, a malformed key
        for (Map<String, String> tags : List.of(Map.of("planet", "x"), Map.of("Team!", "x"))) {
            Map<String, Object> bad = definition("tagger", "plain", manual(), List.of(), "SKIP");
            bad.put("tags", tags);
            ResponseEntity<JsonNode> refused = client.put("/api/agents/" + agent, bad);
            assertThat(refused.getStatusCode()).isEqualTo(HttpStatus.UNPROCESSABLE_CONTENT);
        }

        // its key is issued with its tags
        String run = client.post("/api/agents/" + agent + "/runs", Map.of()).getBody().get("id").asString();
        awaitRun(agent, run, "SUCCEEDED");
        JsonNode issued = gateway.keyRequests.stream()
            .filter(key -> key.path("agentId").asString().equals(agent))
            .findFirst()
            .orElseThrow();
        assertThat(issued.get("tags").get("team").asString()).isEqualTo("search");
        String keyId = jdbc.queryForObject("SELECT key_id::text FROM agent_credential WHERE agent_id = ?::uuid",
                String.class, agent);

        // new tags reach the same key before the agent's next request
        tagged.put("tags", Map.of("team", "ranking"));
        assertThat(client.put("/api/agents/" + agent, tagged).getStatusCode()).isEqualTo(HttpStatus.OK);
        String second = client.post("/api/agents/" + agent + "/runs", Map.of()).getBody().get("id").asString();
        awaitRun(agent, second, "SUCCEEDED");
        assertThat(gateway.tagUpdates).anySatisfy(update -> {
            assertThat(update.getKey()).isEqualTo(keyId);
            assertThat(update.getValue().get("team").asString()).isEqualTo("ranking");
            assertThat(update.getValue().has("costcode")).isFalse();
        });
        assertThat(gateway.keyRequests.stream().filter(key -> key.path("agentId").asString().equals(agent))).hasSize(1);
    }

    private JsonNode awaitRun(String agent, String run, String status) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            last[0] = client.get("/api/agents/" + agent + "/runs/" + run).getBody();
            return last[0].at("/run/status").asString().equals(status);
        });
        return last[0];
    }

    private String state(String agent) {
        return client.get("/api/agents/" + agent).getBody().get("state").asString();
    }

    private String activeAgent(String name, String model, Map<String, Object> trigger, List<String> tools,
            String overlap) {
        ResponseEntity<JsonNode> created = client.post("/api/agents", definition(name, model, trigger, tools, overlap));
        assertThat(created.getStatusCode()).isEqualTo(HttpStatus.CREATED);
        String id = created.getBody().get("id").asString();
        assertThat(client.post("/api/agents/" + id + "/activate", null).getStatusCode()).isEqualTo(HttpStatus.OK);
        return id;
    }

    private static Map<String, Object> definition(String name, String model, Map<String, Object> trigger,
            List<String> tools, String overlap) {
        Map<String, Object> agent = new HashMap<>();
        agent.put("name", name);
        agent.put("model", model);
        agent.put("instructions", "You are " + name + ".");
        agent.put("tools", tools);
        agent.put("trigger", trigger);
        agent.put("overlapPolicy", overlap);
        return agent;
    }

    private static Map<String, Object> manual() {
        return Map.of("kind", "MANUAL");
    }

    private static void assertProblem(ResponseEntity<JsonNode> response, HttpStatus status, String code) {
        assertThat(response.getStatusCode()).isEqualTo(status);
        assertThat(response.getBody().get("code").asString()).isEqualTo(code);
    }

}
