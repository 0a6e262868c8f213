package io.tokenfactory.billing.charging;

import static io.tokenfactory.billing.BillingFixtures.item;
import static io.tokenfactory.billing.BillingFixtures.metered;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tokenfactory.billing.BillingFixtures;
import io.tokenfactory.contracts.UsageMetered;
import io.tokenfactory.contracts.UsageRecorded;
import io.tokenfactory.support.events.CloudEventMessages;
import io.tokenfactory.testsupport.HttpTestClient;
import io.tokenfactory.testsupport.ServiceIntegrationTest;
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
 * Cost = energy (kWh × tariff) + capacity (accelerator-hours × the node class's rate),
 * and cost per token from it.
 */
@ServiceIntegrationTest
class CostModelIntegrationTests {

    @LocalServerPort
    int port;

    @Autowired
    StreamBridge streamBridge;

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void costsEnergyAndAcceleratorTimeAndReportsCostPerToken() {
        HttpTestClient admin = HttpTestClient.onPort(port).asAdmin();
        BillingFixtures.ensureTariff(admin);
        String nodeClass = "h100-" + UUID.randomUUID().toString().substring(0, 8);
        String node = "gpu-node-" + UUID.randomUUID();
        assertThat(admin.put("/api/billing/nodes/" + node, Map.of("nodeClass", nodeClass)).getStatusCode())
            .isEqualTo(HttpStatus.OK);
        assertThat(admin
            .post("/api/billing/capacity-rates", Map.of("nodeClass", nodeClass, "effectiveFrom", "2000-01-01T00:00:00Z",
                    "costPerAcceleratorHour", "3.60"))
            .getStatusCode()).isEqualTo(HttpStatus.CREATED);
        String model = BillingFixtures.model(admin, "GENERATION", "1", "1", "0");
        UUID department = BillingFixtures.department(admin, Map.of());
        Instant at = Instant.now().minus(10, ChronoUnit.MINUTES);
        // 1 kWh direct + 0.25 kWh overhead at 0.25 = 0.3125; 1000 accelerator-seconds at
        // 3.60 an hour = 1.00
        UUID agentRun = UUID.randomUUID();
        UsageMetered.Item usage = onNode(item(department, model, at, 600_000, 400_000, "3600000", "900000"), node, 1000,
                agentRun);
        assertThat(streamBridge.send("tokenfactory.usage-metered",
                CloudEventMessages.toMessage(metered(department, List.of(usage)), "urn:tokenfactory:metering-service")))
            .isTrue();
        await().atMost(Duration.ofSeconds(20))
            .until(() -> jdbc.queryForObject("SELECT count(*) FROM usage_charge WHERE department_id = ?", Long.class,
                    department) == 1);

        ResponseEntity<JsonNode> report = HttpTestClient.onPort(port)
            .withToken(TestTokens.department(department, "billing:read"))
            .get("/api/billing/cost-per-token?from=" + at.minusSeconds(60) + "&to=" + at.plusSeconds(60)
                    + "&groupBy=model,node");
        assertThat(report.getStatusCode()).isEqualTo(HttpStatus.OK);
        JsonNode row = report.getBody().get("rows").get(0);
        assertThat(row.get("tokens").asLong()).isEqualTo(1_000_000);
        assertThat(row.get("energyCost").decimalValue()).isEqualByComparingTo("0.3125");
        assertThat(row.get("capacityCost").decimalValue()).isEqualByComparingTo("1.00");
        assertThat(row.get("costPerMillionTokens").decimalValue()).isEqualByComparingTo("1.3125");

        // the agent run's joules and cost, found by its run id; another department may
        // not look
        JsonNode run = HttpTestClient.onPort(port)
            .withToken(TestTokens.department(department, "billing:read"))
            .get("/api/billing/agent-runs/" + agentRun)
            .getBody();
        assertThat(run.get("promptTokens").asLong() + run.get("completionTokens").asLong()).isEqualTo(1_000_000);
        assertThat(run.get("joules").decimalValue()).isEqualByComparingTo("4500000");
        assertThat(run.get("cost").decimalValue()).isEqualByComparingTo("1.3125");
        assertThat(HttpTestClient.onPort(port)
            .withToken(TestTokens.department(UUID.randomUUID(), "billing:read"))
            .get("/api/billing/agent-runs/" + agentRun)
            .getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);

        // a capacity rate may not start before accelerator time already charged
        ResponseEntity<JsonNode> backdated = admin.post("/api/billing/capacity-rates", Map.of("nodeClass", nodeClass,
                "effectiveFrom", at.minusSeconds(3600).toString(), "costPerAcceleratorHour", "99"));
        assertThat(backdated.getStatusCode()).isEqualTo(HttpStatus.UNPROCESSABLE_CONTENT);
        ResponseEntity<JsonNode> otherDepartment = HttpTestClient.onPort(port)
            .withToken(TestTokens.department(UUID.randomUUID(), "billing:read"))
            .get("/api/billing/cost-per-token?from=" + at + "&to=" + at.plusSeconds(1) + "&department=" + department);
        assertThat(otherDepartment.getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(admin.get("/api/billing/cost-per-token?from=" + at + "&to=" + at.plusSeconds(1) + "&groupBy=colour")
            .getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
    }

    private static UsageMetered.Item onNode(UsageMetered.Item item, String node, double acceleratorSeconds,
            UUID agentRunId) {
        UsageRecorded u = item.usage();
        return new UsageMetered.Item(
                new UsageRecorded(u.eventId(), u.occurredAt(), u.requestId(), u.departmentId(), u.apiKeyId(),
                        u.agentId(), agentRunId, u.model(), u.backend(), node, u.device(), u.promptTokens(),
                        u.completionTokens(), u.outcome(), u.latencyMs(), u.timeToFirstTokenMs(), u.energyJoules(),
                        u.energySource(), acceleratorSeconds, u.tokensEstimated(), u.nodeClass(), u.energyGapSeconds()),
                item.directEnergyJoules(), item.facilityOverheadJoules(), item.pue());
    }

}
