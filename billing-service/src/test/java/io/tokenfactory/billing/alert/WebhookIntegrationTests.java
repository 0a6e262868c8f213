package io.tokenfactory.billing.alert;

import static io.tokenfactory.billing.BillingFixtures.item;
import static io.tokenfactory.billing.BillingFixtures.metered;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.tokenfactory.billing.BillingFixtures;
import io.tokenfactory.contracts.AgentStateChanged;
import io.tokenfactory.contracts.TokenFactoryEvent;
import io.tokenfactory.support.events.CloudEventMessages;
import io.tokenfactory.testsupport.HttpTestClient;
import io.tokenfactory.testsupport.ServiceIntegrationTest;
import io.tokenfactory.testsupport.StubHttpServer;
import io.tokenfactory.testsupport.StubHttpServer.Request;
import io.tokenfactory.testsupport.StubHttpServer.Response;
import io.tokenfactory.testsupport.TestTokens;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Alerts reach a local receiver: signed so that the subscription's secret verifies them,
 * retried after a failure and logged attempt by attempt, never held up by a receiver that
 * does not answer, raised by charging's budget crossings and agent-service's budget
 * pauses, and managed by each department for itself. The build runs it with retries after
 * 0.5 s, 3 attempts and a 2 s read timeout (failsafe's settings).
 */
@ServiceIntegrationTest
class WebhookIntegrationTests {

    private static final String WEBHOOKS = "/api/billing/webhooks";

    @LocalServerPort
    int port;

    @Autowired
    StreamBridge streamBridge;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    JsonMapper json;

    HttpTestClient admin;

    StubHttpServer receiver;

    @BeforeEach
    void receiver() {
        admin = HttpTestClient.onPort(port).asAdmin();
        receiver = new StubHttpServer();
    }

    @AfterEach
    void stopReceiving() {
        // nothing of this test's keeps a dispatcher's sender busy afterwards (a sender
        // recording an attempt meanwhile can make the delete a deadlock's victim: again)
        await().atMost(Duration.ofSeconds(10))
            .ignoreException(org.springframework.dao.PessimisticLockingFailureException.class)
            .until(() -> jdbc.update("DELETE FROM webhook_subscription WHERE url LIKE ?", receiver.url() + "/%") >= 0);
        receiver.close();
    }

    @Test
    void eachDeliveryIsSignedSoThatTheSubscriptionsSecretVerifiesIt() throws Exception {
        receiver.route("POST", "/signed", request -> Response.of(204));
        UUID department = BillingFixtures.department(admin, Map.of());
        HttpTestClient own = departmentKey(department);

        ResponseEntity<JsonNode> created = own.post(WEBHOOKS,
                Map.of("url", receiver.url() + "/signed", "eventKinds", List.of("BUDGET_EXCEEDED")));
        assertThat(created.getStatusCode()).isEqualTo(HttpStatus.CREATED);
        String id = created.getBody().path("webhook").path("id").asString();
        String secret = created.getBody().path("secret").asString();
        assertThat(created.getHeaders().getLocation()).hasToString(WEBHOOKS + "/" + id);
        assertThat(created.getBody().path("webhook").path("departmentId").asString()).isEqualTo(department.toString());
        assertThat(created.getBody().path("webhook").path("format").asString()).isEqualTo("json");
        assertThat(created.getBody().path("webhook").path("active").asBoolean()).isTrue();
        assertThat(secret).startsWith("whsec_");
        // shown once: reading it again shows a hint only
        JsonNode read = own.get(WEBHOOKS + "/" + id).getBody();
        assertThat(read.toString()).doesNotContain(secret);
        assertThat(read.path("secretHint").asString()).endsWith(secret.substring(secret.length() - 4));

        ResponseEntity<JsonNode> test = own.post(WEBHOOKS + "/" + id + "/test", Map.of());
        assertThat(test.getStatusCode()).isEqualTo(HttpStatus.ACCEPTED);
        String deliveryId = test.getBody().path("deliveryId").asString();

        Request received = await().atMost(Duration.ofSeconds(10))
            .until(() -> first(receiver, "/signed"), r -> r != null);
        String timestamp = received.header("X-TokenFactory-Timestamp");
        assertThat(received.header("X-TokenFactory-Event")).isEqualTo("PING");
        assertThat(received.header("X-TokenFactory-Delivery")).isEqualTo(deliveryId);
        assertThat(received.header("Content-Type")).startsWith("application/json");
        assertThat(Long.parseLong(timestamp)).isBetween(Instant.now().minusSeconds(60).getEpochSecond(),
                Instant.now().plusSeconds(60).getEpochSecond());
        // what a receiver does: HMAC-SHA-256 of "<timestamp>.<raw body>" under the secret
        assertThat(received.header("X-TokenFactory-Signature"))
            .isEqualTo("sha256=" + hmacSha256(secret, timestamp + "." + received.body()))
            .isNotEqualTo("sha256=" + hmacSha256(secret + "x", timestamp + "." + received.body()))
            .isNotEqualTo("sha256=" + hmacSha256(secret, (Long.parseLong(timestamp) - 1) + "." + received.body()));
        JsonNode body = json.readTree(received.body());
        assertThat(body.path("event").asString()).isEqualTo("PING");
        assertThat(body.path("text").asString()).contains("Test delivery from Token Factory");

        JsonNode delivery = await().atMost(Duration.ofSeconds(10))
            .until(() -> deliveries(own, id).get(0), d -> d.path("status").asString().equals("DELIVERED"));
        assertThat(delivery.path("id").asString()).isEqualTo(deliveryId);
        assertThat(delivery.path("attemptLog")).hasSize(1);
        assertThat(delivery.path("attemptLog").get(0).path("httpStatus").asInt()).isEqualTo(204);
    }

    @Test
    void aReceiverAnswering500IsRetriedUntilItTakesTheDeliveryAndTheLogShowsEveryAttempt() {
        AtomicInteger calls = new AtomicInteger();
        receiver.route("POST", "/flaky",
                request -> calls.incrementAndGet() <= 2 ? Response.of(500, "try later") : Response.of(200));
        receiver.route("POST", "/down", request -> Response.of(503));
        UUID department = BillingFixtures.department(admin, Map.of());
        String flaky = create(admin, department, "/flaky", "json", "BUDGET_WARNING");
        String down = create(admin, department, "/down", "json", "BUDGET_WARNING");

        admin.post(WEBHOOKS + "/" + flaky + "/test", Map.of());
        admin.post(WEBHOOKS + "/" + down + "/test", Map.of());

        JsonNode delivered = await().atMost(Duration.ofSeconds(15))
            .until(() -> deliveries(admin, flaky).get(0), d -> d.path("status").asString().equals("DELIVERED"));
        assertThat(delivered.path("attempts").asInt()).isEqualTo(3);
        List<Integer> statuses = new ArrayList<>();
        List<Instant> started = new ArrayList<>();
        delivered.path("attemptLog").forEach(attempt -> {
            statuses.add(attempt.path("httpStatus").asInt());
            started.add(Instant.parse(attempt.path("startedAt").asString()));
            assertThat(attempt.path("durationMs").asLong()).isNotNegative();
        });
        assertThat(statuses).containsExactly(500, 500, 200);
        // each retry waited its pause (0.5 s here)
        assertThat(Duration.between(started.get(0), started.get(1))).isGreaterThanOrEqualTo(Duration.ofMillis(450));
        assertThat(Duration.between(started.get(1), started.get(2))).isGreaterThanOrEqualTo(Duration.ofMillis(450));
        // the same delivery, byte for byte, each time
        List<Request> tries = all(receiver, "/flaky");
        assertThat(tries).hasSize(3);
        assertThat(tries).extracting(Request::body).containsOnly(tries.get(0).body());
        assertThat(tries).extracting(r -> r.header("X-TokenFactory-Delivery"))
            .containsOnly(delivered.path("id").asString());

        JsonNode failed = await().atMost(Duration.ofSeconds(15))
            .until(() -> deliveries(admin, down).get(0), d -> d.path("status").asString().equals("FAILED"));
        assertThat(failed.path("attempts").asInt()).isEqualTo(3);
        assertThat(failed.path("attemptLog").findValues("httpStatus")).extracting(JsonNode::asInt)
            .containsExactly(503, 503, 503);
        assertThat(failed.path("finishedAt").isNull()).isFalse();
        assertThat(failed.path("nextAttemptAt").isNull()).isTrue();
    }

    @Test
    void aReceiverThatNeverAnswersHoldsUpNoOtherSubscriptionsDelivery() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        receiver.route("POST", "/silent", request -> {
            release.await();
            return Response.of(200);
        });
        receiver.route("POST", "/prompt", request -> Response.of(200));
        UUID department = BillingFixtures.department(admin, Map.of());
        String silent = create(admin, department, "/silent", "json", "BUDGET_EXCEEDED");
        String prompt = create(admin, department, "/prompt", "json", "BUDGET_EXCEEDED");
        try {
            // a backlog longer than all the senders together: it must not crowd out the
            // other
            for (int i = 0; i < 40; i++) {
                admin.post(WEBHOOKS + "/" + silent + "/test", Map.of());
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> first(receiver, "/silent") != null);
            Instant silentSince = Instant.now();

            admin.post(WEBHOOKS + "/" + prompt + "/test", Map.of());

            // delivered while the silent receiver holds its attempts one at a time (each
            // gives up only after the 2 s read timeout)
            await().atMost(Duration.ofMillis(1500))
                .until(() -> deliveries(admin, prompt).get(0).path("status").asString().equals("DELIVERED"));
            long heldFor = Duration.between(silentSince, Instant.now()).toMillis();
            assertThat(all(receiver, "/silent")).hasSizeBetween(1, (int) (1 + heldFor / 2_000));
            assertThat(deliveries(admin, silent))
                .allSatisfy(d -> assertThat(d.path("status").asString()).isEqualTo("PENDING"));

            // and the silent one's attempt ends as a timeout in its log, to be retried
            JsonNode attempt = await().atMost(Duration.ofSeconds(10))
                .until(() -> attempts(admin, silent), a -> !a.isEmpty())
                .get(0);
            assertThat(attempt.path("httpStatus").isNull()).isTrue();
            assertThat(attempt.path("error").asString()).contains("no answer within 2000 ms");
            assertThat(attempt.path("durationMs").asLong()).isBetween(1900L, 6000L);
        }
        finally {
            release.countDown();
        }
    }

    @Test
    void budgetCrossingsReachTheDepartmentThroughChargingOnceEachAsJsonAndForSlack() {
        receiver.route("POST", "/budget", request -> Response.of(200));
        receiver.route("POST", "/slack", request -> Response.of(200, "ok"));
        BillingFixtures.ensureTariff(admin);
        String model = BillingFixtures.model(admin, "GENERATION", "0.50", "1.50", "0");
        UUID department = BillingFixtures.department(admin,
                Map.of("monthlyBudget", "0.012", "softAlertPercent", 50, "hardCap", true));
        HttpTestClient own = departmentKey(department);
        String budget = create(own, null, "/budget", "json", "BUDGET_WARNING", "BUDGET_EXCEEDED", "BUDGET_OK");
        create(own, null, "/slack", "slack", "BUDGET_EXCEEDED");

        // each record is 0.005: OK, WARNING at 0.010 (≥ 50 % of 0.012), EXCEEDED at 0.015
        for (int i = 1; i <= 3; i++) {
            publish("tokenfactory.usage-metered", metered(department,
                    List.of(item(department, model, Instant.now().minusSeconds(30), 1000, 3000, "0", "0"))));
            int charged = i;
            await().atMost(Duration.ofSeconds(20))
                .until(() -> jdbc.queryForObject("SELECT count(*) FROM usage_charge WHERE department_id = ?",
                        Long.class, department) == charged);
        }

        await().atMost(Duration.ofSeconds(15)).until(() -> all(receiver, "/budget").size() == 2);
        List<JsonNode> alerts = all(receiver, "/budget").stream().map(r -> json.readTree(r.body())).toList();
        assertThat(alerts).extracting(a -> a.path("event").asString())
            .containsExactly("BUDGET_WARNING", "BUDGET_EXCEEDED");
        JsonNode exceeded = alerts.get(1);
        assertThat(exceeded.path("departmentId").asString()).isEqualTo(department.toString());
        assertThat(exceeded.path("data").path("state").asString()).isEqualTo("EXCEEDED");
        assertThat(exceeded.path("data").path("previousState").asString()).isEqualTo("WARNING");
        assertThat(exceeded.path("data").path("spent").decimalValue()).isEqualByComparingTo("0.02");
        assertThat(exceeded.path("data").path("limit").decimalValue()).isEqualByComparingTo("0.012");
        assertThat(exceeded.path("data").path("hardCap").asBoolean()).isTrue();
        assertThat(all(receiver, "/budget").get(1).header("X-TokenFactory-Event")).isEqualTo("BUDGET_EXCEEDED");

        // Slack: one readable sentence and nothing else
        Request slack = await().atMost(Duration.ofSeconds(15)).until(() -> first(receiver, "/slack"), r -> r != null);
        JsonNode slackBody = json.readTree(slack.body());
        assertThat(slackBody.propertyNames()).containsExactly("text");
        String name = admin.get("/api/billing/departments/" + department).getBody().path("name").asString();
        assertThat(slackBody.path("text").asString()).startsWith(name + " has spent 0.02 EUR of its 0.012 EUR budget")
            .contains("budget exceeded; its inference requests are refused");

        // a raised budget lifts the block: OK; raising it again repeats OK, which is no
        // crossing and alerts nobody (the ping behind it arrives next)
        String code = admin.get("/api/billing/departments/" + department).getBody().path("costCentreCode").asString();
        admin.put("/api/billing/departments/" + department,
                Map.of("name", name, "costCentreCode", code, "monthlyBudget", "100", "hardCap", true));
        admin.put("/api/billing/departments/" + department,
                Map.of("name", name, "costCentreCode", code, "monthlyBudget", "200", "hardCap", true));
        own.post(WEBHOOKS + "/" + budget + "/test", Map.of());
        await().atMost(Duration.ofSeconds(15))
            .until(() -> all(receiver, "/budget").stream()
                .anyMatch(r -> "PING".equals(r.header("X-TokenFactory-Event"))));
        assertThat(all(receiver, "/budget")).extracting(r -> r.header("X-TokenFactory-Event"))
            .containsExactly("BUDGET_WARNING", "BUDGET_EXCEEDED", "BUDGET_OK", "PING");
    }

    @Test
    void anAgentPausedForItsBudgetIsAlertedOnceEvenWhenTheEventComesTwice() {
        receiver.route("POST", "/agents", request -> Response.of(200));
        UUID department = BillingFixtures.department(admin, Map.of());
        String webhook = create(admin, department, "/agents", "json", "AGENT_PAUSED_BY_BUDGET");
        UUID agent = UUID.randomUUID();
        AgentStateChanged paused = new AgentStateChanged(UUID.randomUUID(), Instant.now(), agent, department, "ACTIVE",
                "PAUSED", "budget");

        publish("tokenfactory.agent-state-changed", paused);
        publish("tokenfactory.agent-state-changed", paused);
        // paused by hand, and resumed: no alert
        publish("tokenfactory.agent-state-changed", new AgentStateChanged(UUID.randomUUID(), Instant.now(), agent,
                department, "ACTIVE", "PAUSED", "manual"));
        publish("tokenfactory.agent-state-changed", new AgentStateChanged(UUID.randomUUID(), Instant.now(), agent,
                department, "PAUSED", "ACTIVE", "budget"));
        await().atMost(Duration.ofSeconds(15)).until(() -> first(receiver, "/agents") != null);
        // the consumer takes the queue in order: once this one is in, the others were
        // seen
        publish("tokenfactory.agent-state-changed", new AgentStateChanged(UUID.randomUUID(), Instant.now(),
                UUID.randomUUID(), department, "ACTIVE", "PAUSED", "budget"));
        await().atMost(Duration.ofSeconds(15)).until(() -> all(receiver, "/agents").size() >= 2);

        List<JsonNode> alerts = all(receiver, "/agents").stream().map(r -> json.readTree(r.body())).toList();
        assertThat(alerts).hasSize(2);
        assertThat(alerts).extracting(a -> a.path("event").asString()).containsOnly("AGENT_PAUSED_BY_BUDGET");
        assertThat(alerts.get(0).path("data").path("agentId").asString()).isEqualTo(agent.toString());
        assertThat(alerts.get(0).path("text").asString()).startsWith("Agent " + agent.toString().substring(0, 8));
        assertThat(deliveries(admin, webhook)).hasSize(2);
    }

    @Test
    void aDepartmentsKeySeesAndManagesOnlyItsOwnDepartmentsWebhooks() {
        UUID legal = BillingFixtures.department(admin, Map.of());
        UUID sales = BillingFixtures.department(admin, Map.of());
        HttpTestClient legalKey = departmentKey(legal);
        HttpTestClient salesKey = departmentKey(sales);
        String legals = create(legalKey, null, "/legal", "json", "BUDGET_EXCEEDED");
        String sales1 = create(salesKey, null, "/sales", "json", "BUDGET_EXCEEDED");
        String administrators = create(admin, null, "/all", "json", "MONTH_CLOSED");

        assertThat(legalKey.get(WEBHOOKS).getBody().findValuesAsString("id")).containsExactly(legals);
        assertThat(admin.get(WEBHOOKS + "?department=" + sales).getBody().findValuesAsString("id"))
            .containsExactly(sales1);
        assertThat(admin.get(WEBHOOKS).getBody().findValuesAsString("id")).contains(legals, sales1, administrators);
        for (String foreign : List.of(sales1, administrators)) {
            assertThat(legalKey.get(WEBHOOKS + "/" + foreign).getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
            assertThat(legalKey.get(WEBHOOKS + "/" + foreign + "/deliveries").getStatusCode())
                .isEqualTo(HttpStatus.FORBIDDEN);
            assertThat(legalKey.post(WEBHOOKS + "/" + foreign + "/test", Map.of()).getStatusCode())
                .isEqualTo(HttpStatus.FORBIDDEN);
            assertThat(legalKey.delete(WEBHOOKS + "/" + foreign).getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        }
        ResponseEntity<JsonNode> listOthers = legalKey.get(WEBHOOKS + "?department=" + sales);
        assertThat(listOthers.getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(listOthers.getBody().path("code").asString()).isEqualTo("forbidden");
        assertThat(legalKey
            .post(WEBHOOKS, Map.of("url", receiver.url() + "/x", "eventKinds", List.of("BUDGET_OK"), "departmentId",
                    sales.toString()))
            .getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        HttpTestClient agentKey = HttpTestClient.onPort(port)
            .withToken(TestTokens.token(legal, UUID.randomUUID(), "billing:read"));
        assertThat(agentKey.get(WEBHOOKS).getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(admin.get(WEBHOOKS + "/" + sales1).getBody().path("departmentId").asString())
            .isEqualTo(sales.toString());

        // its own: deactivate, then delete
        ResponseEntity<JsonNode> deactivated = legalKey.put(WEBHOOKS + "/" + legals,
                Map.of("url", receiver.url() + "/legal", "eventKinds", List.of("BUDGET_EXCEEDED"), "active", false));
        assertThat(deactivated.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(deactivated.getBody().path("active").asBoolean()).isFalse();
        ResponseEntity<JsonNode> inactivePing = legalKey.post(WEBHOOKS + "/" + legals + "/test", Map.of());
        assertThat(inactivePing.getStatusCode()).isEqualTo(HttpStatus.CONFLICT);
        assertThat(inactivePing.getBody().path("code").asString()).isEqualTo("webhook_inactive");
        assertThat(legalKey.delete(WEBHOOKS + "/" + legals).getStatusCode()).isEqualTo(HttpStatus.NO_CONTENT);
        ResponseEntity<JsonNode> gone = legalKey.get(WEBHOOKS + "/" + legals);
        assertThat(gone.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(gone.getBody().path("code").asString()).isEqualTo("webhook_not_found");
    }

    @Test
    void refusesBadUrlsKindsAndFormatsDuplicatesAndUnknownDepartmentsAndCreatesNothing() {
        UUID department = BillingFixtures.department(admin, Map.of());
        HttpTestClient own = departmentKey(department);
        for (String url : List.of("ftp://example.com/hook", "not a url", "http://user:secret@example.com/hook",
                "https://", "example.com/hook", "javascript:alert(1)")) {
            ResponseEntity<JsonNode> refused = own.post(WEBHOOKS,
                    Map.of("url", url, "eventKinds", List.of("BUDGET_OK")));
            assertThat(refused.getStatusCode()).as(url).isEqualTo(HttpStatus.BAD_REQUEST);
            assertThat(refused.getBody().path("code").asString()).isEqualTo("validation_failed");
            assertThat(refused.getBody().path("errors").findValuesAsString("field")).containsExactly("url");
        }
        ResponseEntity<JsonNode> badKinds = own.post(WEBHOOKS,
                Map.of("url", "https://example.com/hook", "eventKinds", List.of("BUDGET_MAYBE"), "format", "xml"));
        assertThat(badKinds.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(badKinds.getBody().path("errors").findValuesAsString("field"))
            .containsExactlyInAnyOrder("eventKinds[0]", "format");
        assertThat(
                own.post(WEBHOOKS, Map.of("url", "https://example.com/hook", "eventKinds", List.of())).getStatusCode())
            .isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(own.postRaw(WEBHOOKS, "{\"url\": ").getBody().path("code").asString()).isEqualTo("malformed_body");
        assertThat(own.get(WEBHOOKS).getBody()).isEmpty();

        create(own, null, "/twice", "json", "BUDGET_OK");
        ResponseEntity<JsonNode> duplicate = own.post(WEBHOOKS,
                Map.of("url", receiver.url() + "/twice", "eventKinds", List.of("BUDGET_WARNING")));
        assertThat(duplicate.getStatusCode()).isEqualTo(HttpStatus.CONFLICT);
        assertThat(duplicate.getBody().path("code").asString()).isEqualTo("webhook_exists");
        ResponseEntity<JsonNode> unknown = admin.post(WEBHOOKS, Map.of("url", receiver.url() + "/nobody", "eventKinds",
                List.of("BUDGET_OK"), "departmentId", UUID.randomUUID().toString()));
        assertThat(unknown.getStatusCode()).isEqualTo(HttpStatus.UNPROCESSABLE_CONTENT);
        assertThat(unknown.getBody().path("code").asString()).isEqualTo("unknown_department");
        assertThat(admin.get(WEBHOOKS + "/" + UUID.randomUUID()).getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(admin.get(WEBHOOKS + "/not-a-uuid").getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(own.get(WEBHOOKS)).extracting(r -> r.getBody().size()).isEqualTo(1);
    }

    /** A subscription to the receiver's path; returns its id. */
    private String create(HttpTestClient client, UUID department, String path, String format, String... kinds) {
        Map<String, Object> body = new java.util.HashMap<>(
                Map.of("url", receiver.url() + path, "eventKinds", List.of(kinds), "format", format));
        if (department != null) {
            body.put("departmentId", department.toString());
        }
        ResponseEntity<JsonNode> created = client.post(WEBHOOKS, body);
        assertThat(created.getStatusCode()).isEqualTo(HttpStatus.CREATED);
        return created.getBody().path("webhook").path("id").asString();
    }

    private List<JsonNode> deliveries(HttpTestClient client, String webhook) {
        ResponseEntity<JsonNode> log = client.get(WEBHOOKS + "/" + webhook + "/deliveries");
        assertThat(log.getStatusCode()).isEqualTo(HttpStatus.OK);
        List<JsonNode> deliveries = new ArrayList<>();
        log.getBody().forEach(deliveries::add);
        return deliveries;
    }

    /** The attempts of a webhook's oldest delivery. */
    private List<JsonNode> attempts(HttpTestClient client, String webhook) {
        List<JsonNode> deliveries = deliveries(client, webhook);
        List<JsonNode> attempts = new ArrayList<>();
        deliveries.get(deliveries.size() - 1).path("attemptLog").forEach(attempts::add);
        return attempts;
    }

    private HttpTestClient departmentKey(UUID department) {
        return HttpTestClient.onPort(port).withToken(TestTokens.department(department, "billing:read"));
    }

    private void publish(String destination, TokenFactoryEvent event) {
        assertThat(streamBridge.send(destination, CloudEventMessages.toMessage(event, "urn:tokenfactory:test")))
            .isTrue();
    }

    private static List<Request> all(StubHttpServer stub, String path) {
        return stub.requests().stream().filter(r -> r.path().equals(path)).toList();
    }

    private static Request first(StubHttpServer stub, String path) {
        return all(stub, path).stream().findFirst().orElse(null);
    }

    /** What a receiver computes to check a delivery (docs/api.md shows the same). */
    private static String hmacSha256(String secret, String content) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(content.getBytes(StandardCharsets.UTF_8)));
    }

}
