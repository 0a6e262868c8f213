package io.tokenfactory.gateway.deadletter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import io.tokenfactory.contracts.BudgetState;
import io.tokenfactory.contracts.BudgetStatusChanged;
import io.tokenfactory.contracts.CloudEventAttributes;
import io.tokenfactory.contracts.EventTypes;
import io.tokenfactory.gateway.GatewayIntegrationTest;
import io.tokenfactory.gateway.budget.BudgetGuard;
import io.tokenfactory.support.events.CloudEventMessages;
import io.tokenfactory.testsupport.HttpTestClient;
import io.tokenfactory.testsupport.TestDeadLetters;
import io.tokenfactory.testsupport.TestEventBroker;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

import tools.jackson.databind.JsonNode;

/**
 * A poison budget report is parked in the gateway's own dead letters with its reason
 * while the reports behind it are applied; an administrator reads, replays and discards
 * them at {@code /api/dead-letters/gateway}, and reaches every other service's at
 * {@code /api/dead-letters/<area>}.
 */
class DeadLetterIntegrationTests extends GatewayIntegrationTest {

    private static final String GATEWAY = "/api/dead-letters/gateway";

    @Autowired
    StreamBridge streamBridge;

    @Autowired
    BudgetGuard budgetGuard;

    @Test
    void parksAnUnreadableBudgetReportWithItsReasonWhileTheNextReportsFlow() {
        HttpTestClient admin = http().withToken(adminKey().secret());
        UUID department = UUID.randomUUID();
        String poison = UUID.randomUUID().toString();

        TestEventBroker.sendRaw("tokenfactory.budget-status-changed", "{\"departmentId\": 42",
                Map.of(CloudEventAttributes.TYPE, EventTypes.BUDGET_STATUS_CHANGED, CloudEventAttributes.ID, poison));
        publish(new BudgetStatusChanged(UUID.randomUUID(), Instant.now(), department, "2026-11",
                new BigDecimal("1200.000000"), new BigDecimal("1000.000000"), "EUR", BudgetState.EXCEEDED, true));

        await().atMost(Duration.ofSeconds(20)).until(() -> budgetGuard.blocksInference(department));
        await().atMost(Duration.ofSeconds(20)).until(() -> TestDeadLetters.find(admin, GATEWAY, poison) != null);
        JsonNode dead = TestDeadLetters.find(admin, GATEWAY, poison);
        assertThat(dead.path("reason").asString()).contains("payload is not a readable budget-status-changed record");
        assertThat(dead.path("destination").asString()).isEqualTo("tokenfactory.budget-status-changed");
        assertThat(dead.path("group").asString()).isEqualTo("gateway");
        assertThat(dead.path("status").asString()).isEqualTo("WAITING");
        String id = dead.path("id").asString();
        JsonNode detail = admin.get(GATEWAY + "/" + id).getBody();
        assertThat(detail.path("body").asString()).isEqualTo("{\"departmentId\": 42");
        assertThat(detail.path("headers").path("x-exception-fqcn").asString())
            .isEqualTo("io.tokenfactory.support.events.RejectedEventException");

        // replayed unchanged it fails again: parked again, waiting again
        ResponseEntity<JsonNode> replayed = admin.post(GATEWAY + "/" + id + "/replay", Map.of());
        assertThat(replayed.getStatusCode()).isEqualTo(HttpStatus.OK);
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            JsonNode again = TestDeadLetters.find(admin, GATEWAY, poison);
            return again.path("parked").asInt() == 2 && "WAITING".equals(again.path("status").asString());
        });
        assertThat(TestDeadLetters.find(admin, GATEWAY, poison).path("replays").asInt()).isEqualTo(1);

        ResponseEntity<JsonNode> discarded = admin.delete(GATEWAY + "/" + id + "?reason=unreadable-forever");
        assertThat(discarded.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(discarded.getBody().path("status").asString()).isEqualTo("DISCARDED");
        assertThat(admin.delete(GATEWAY + "/" + id + "?reason=twice").getStatusCode()).isEqualTo(HttpStatus.CONFLICT);
    }

    @Test
    void routesEachServicesDeadLettersToItForAdministratorsOnly() {
        HttpTestClient admin = http().withToken(adminKey().secret());

        ResponseEntity<JsonNode> billing = admin.get("/api/dead-letters/billing?status=all");
        assertThat(billing.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(billing.getBody().path("served").asString()).isEqualTo("GET /api/dead-letters?status=all");
        String id = UUID.randomUUID().toString();
        assertThat(admin.post("/api/dead-letters/metering/" + id + "/replay", Map.of())
            .getBody()
            .path("served")
            .asString()).isEqualTo("POST /api/dead-letters/" + id + "/replay");
        assertThat(admin.get(GATEWAY).getStatusCode()).isEqualTo(HttpStatus.OK);

        HttpTestClient department = http().withToken(departmentKey(UUID.randomUUID(), "usage:read").secret());
        assertThat(department.get("/api/dead-letters/billing").getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(department.get(GATEWAY).getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
    }

    private void publish(BudgetStatusChanged report) {
        assertThat(streamBridge.send("tokenfactory.budget-status-changed",
                CloudEventMessages.toMessage(report, "urn:tokenfactory:billing-service")))
            .isTrue();
    }

}
