package io.tokenfactory.billing.charging;

import static io.tokenfactory.billing.BillingFixtures.item;
import static io.tokenfactory.billing.BillingFixtures.metered;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tokenfactory.billing.BillingFixtures;
import io.tokenfactory.contracts.EnergySource;
import io.tokenfactory.contracts.IdleEnergyAllocated;
import io.tokenfactory.contracts.TokenFactoryEvent;
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
 * Cost per token fully loaded: a node-hour's idle accelerator time is priced at its
 * class's capacity rate (the class the node declared), shown apart from busy cost; every
 * figure carries its energy source, and tokens without an energy figure stay out of the
 * ratios.
 */
@ServiceIntegrationTest
class FullyLoadedCostIntegrationTests {

    @LocalServerPort
    int port;

    @Autowired
    StreamBridge streamBridge;

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void idleAcceleratorTimeIsPricedAtTheDeclaredClassAndLoadsCostPerTokenApartFromBusyCost() {
        HttpTestClient admin = HttpTestClient.onPort(port).asAdmin();
        BillingFixtures.ensureTariff(admin);
        String nodeClass = "h100-" + UUID.randomUUID().toString().substring(0, 8);
        String node = "gpu-node-" + UUID.randomUUID();
        assertThat(admin
            .post("/api/billing/capacity-rates", Map.of("nodeClass", nodeClass, "effectiveFrom", "2000-01-01T00:00:00Z",
                    "costPerAcceleratorHour", "3.60"))
            .getStatusCode()).isEqualTo(HttpStatus.CREATED);
        String model = BillingFixtures.model(admin, "GENERATION", "1", "1", "0");
        String vendor = BillingFixtures.model(admin, "GENERATION", "1", "1", "0");
        UUID department = BillingFixtures.department(admin, Map.of("pricingMode", "COST_PLUS", "marginPercent", "20"));
        Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(2, ChronoUnit.HOURS);
        Instant at = hour.plus(10, ChronoUnit.MINUTES);
        // busy: 1 kWh + 0.25 kWh overhead at 0.25 = 0.3125, and 1,000 accelerator-seconds
        // at 3.60 an hour = 1.00;
        // the node's class comes with the usage (its declaration), billing never assigned
        // it
        UsageMetered.Item measured = onNode(item(department, model, at, 600_000, 400_000, "3600000", "900000"), node,
                nodeClass, EnergySource.DCGM, 1000);
        // a request whose node's meter was in a gap all along: no energy figure, but 500
        // s of accelerator time (0.50)
        UsageMetered.Item unmetered = onNode(item(department, vendor, at, 250_000, 250_000, "0", "0"), node, nodeClass,
                EnergySource.NONE, 500);
        send("tokenfactory.usage-metered", metered(department, List.of(measured, unmetered)));
        // idle: 1 kWh + 0.25 overhead = 0.3125, and 3,600 idle accelerator-seconds = 3.60
        send("tokenfactory.idle-energy-allocated",
                idle(department, hour, 1, "3600000", "900000", "3600", node, nodeClass));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(jdbc.queryForObject("SELECT count(*) FROM usage_charge WHERE department_id = ?", Long.class,
                    department))
                .isEqualTo(2);
            assertThat(jdbc.queryForObject("SELECT count(*) FROM idle_charge_node WHERE department_id = ?", Long.class,
                    department))
                .isEqualTo(1);
        });

        // a rate for the declared class that would reprice what is charged is refused,
        // like any other
        ResponseEntity<JsonNode> backdated = admin.post("/api/billing/capacity-rates",
                Map.of("nodeClass", nodeClass, "effectiveFrom", hour.toString(), "costPerAcceleratorHour", "9.99"));
        assertThat(backdated.getStatusCode()).isEqualTo(HttpStatus.UNPROCESSABLE_CONTENT);
        assertThat(backdated.getBody().get("code").asString()).isEqualTo("reprices_the_past");

        JsonNode row = costPerToken(department, hour, "groupBy=department").get("rows").get(0);
        assertThat(row.get("tokens").asLong()).isEqualTo(1_500_000);
        assertThat(row.get("tokensWithoutEnergy").asLong()).isEqualTo(500_000);
        assertThat(row.get("cost").decimalValue()).isEqualByComparingTo("1.8125");
        // per token: the tokens with an energy figure and what they cost, never the
        // unmeasured request's time
        assertThat(row.get("costPerMillionTokens").decimalValue()).isEqualByComparingTo("1.3125");
        assertThat(row.get("idleEnergyCost").decimalValue()).isEqualByComparingTo("0.3125");
        assertThat(row.get("idleCapacityCost").decimalValue()).isEqualByComparingTo("3.60");
        assertThat(row.get("fullyLoadedCost").decimalValue()).isEqualByComparingTo("5.725");
        assertThat(row.get("fullyLoadedCostPerMillionTokens").decimalValue()).isEqualByComparingTo("5.225");
        assertThat(row.at("/energySources/DCGM/tokens").asLong()).isEqualTo(1_000_000);
        assertThat(row.at("/energySources/NONE/tokens").asLong()).isEqualTo(500_000);

        JsonNode bySource = costPerToken(department, hour, "groupBy=energySource");
        assertThat(bySource.get("rows")).extracting(r -> r.get("energySource").asString())
            .containsExactly("DCGM", "NONE");
        JsonNode none = bySource.get("rows").get(1);
        assertThat(none.get("costPerToken").isNull()).isTrue();
        assertThat(none.get("fullyLoadedCostPerToken").isNull()).isTrue();
        assertThat(none.has("energySources")).isFalse();
        // an administrator sees every department, this one among them with the same
        // figures
        ResponseEntity<JsonNode> everyone = admin.get("/api/billing/cost-per-token?from=" + hour + "&to="
                + hour.plus(1, ChronoUnit.HOURS) + "&groupBy=department");
        assertThat(everyone.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(everyone.getBody().get("rows")).anySatisfy(r -> {
            assertThat(r.get("department").asString()).isEqualTo(department.toString());
            assertThat(r.get("fullyLoadedCost").decimalValue()).isEqualByComparingTo("5.725");
        });

        // cost-plus: (1.3125 + 0.50 + 3.9125) × 1.2: the unmeasured request's energy is
        // unknown, so not charged, but
        // its accelerator time is
        assertThat(spend(department)).isEqualByComparingTo("6.87");
        // a correction doubles the idle share: its difference is charged, per energy
        // source
        send("tokenfactory.idle-energy-allocated",
                idle(department, hour, 2, "7200000", "1800000", "7200", node, nodeClass));
        await().atMost(Duration.ofSeconds(20)).until(() -> spend(department).compareTo(new BigDecimal("11.565")) == 0);
        assertThat(jdbc.queryForObject(
                """
                        SELECT sum(cost) FROM charge_rollup WHERE department_id = ? AND kind = 'IDLE' AND energy_source = 'DCGM'""",
                BigDecimal.class, department))
            .isEqualByComparingTo("7.825");
    }

    @Test
    void whatWasBilledIsSummedPerDepartmentAndModelForReconciliationByAdministratorsOnly() {
        HttpTestClient admin = HttpTestClient.onPort(port).asAdmin();
        BillingFixtures.ensureTariff(admin);
        String model = BillingFixtures.model(admin, "GENERATION", "1", "1", "0");
        UUID department = BillingFixtures.department(admin, Map.of());
        Instant at = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(5, ChronoUnit.HOURS).plusSeconds(30);
        send("tokenfactory.usage-metered", metered(department, List.of(item(department, model, at, 10, 20, "1.5", "0"),
                item(department, model, at.plusSeconds(5), 1, 2, "0.25", "0"))));
        await().atMost(Duration.ofSeconds(20))
            .until(() -> jdbc.queryForObject("SELECT count(*) FROM usage_charge WHERE department_id = ?", Long.class,
                    department) == 2);

        String path = "/api/billing/usage-summary?from=" + at.truncatedTo(ChronoUnit.HOURS) + "&to="
                + at.truncatedTo(ChronoUnit.HOURS).plus(1, ChronoUnit.HOURS);
        JsonNode summary = admin.get(path).getBody();
        JsonNode row = null;
        for (JsonNode candidate : summary.get("rows")) {
            if (candidate.get("department").asString().equals(department.toString())) {
                row = candidate;
            }
        }
        assertThat(row).isNotNull();
        assertThat(row.get("requests").asLong()).isEqualTo(2);
        assertThat(row.get("promptTokens").asLong()).isEqualTo(11);
        assertThat(row.get("completionTokens").asLong()).isEqualTo(22);
        assertThat(row.get("energyJoules").decimalValue()).isEqualByComparingTo("1.75");
        assertThat(HttpTestClient.onPort(port)
            .withToken(TestTokens.department(department, "billing:read"))
            .get(path)
            .getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
    }

    private JsonNode costPerToken(UUID department, Instant hour, String groupBy) {
        var report = HttpTestClient.onPort(port)
            .withToken(TestTokens.department(department, "billing:read"))
            .get("/api/billing/cost-per-token?from=" + hour + "&to=" + hour.plus(1, ChronoUnit.HOURS) + "&" + groupBy);
        assertThat(report.getStatusCode()).isEqualTo(HttpStatus.OK);
        return report.getBody();
    }

    /**
     * The department's spend to the last decimal (the spend API rounds to the currency's
     * minor unit).
     */
    private BigDecimal spend(UUID department) {
        return jdbc.queryForObject("SELECT COALESCE(sum(charge), 0) FROM department_spend WHERE department_id = ?",
                BigDecimal.class, department);
    }

    private static IdleEnergyAllocated idle(UUID department, Instant hour, int revision, String joules, String overhead,
            String seconds, String node, String nodeClass) {
        return new IdleEnergyAllocated(UUID.randomUUID(), Instant.now(), department, hour, new BigDecimal(joules),
                new BigDecimal(overhead), revision, List.of(new IdleEnergyAllocated.NodeShare(node, nodeClass,
                        EnergySource.DCGM, new BigDecimal(joules), new BigDecimal(overhead), new BigDecimal(seconds))));
    }

    private void send(String destination, TokenFactoryEvent event) {
        assertThat(streamBridge.send(destination,
                CloudEventMessages.toMessage(event, "urn:tokenfactory:metering-service")))
            .isTrue();
    }

    private static UsageMetered.Item onNode(UsageMetered.Item item, String node, String nodeClass, EnergySource source,
            double acceleratorSeconds) {
        UsageRecorded u = item.usage();
        return new UsageMetered.Item(
                new UsageRecorded(u.eventId(), u.occurredAt(), u.requestId(), u.departmentId(), u.apiKeyId(),
                        u.agentId(), u.agentRunId(), u.model(), "remote", node, "gpu0", u.promptTokens(),
                        u.completionTokens(), u.outcome(), u.latencyMs(), u.timeToFirstTokenMs(), u.energyJoules(),
                        source, acceleratorSeconds, false, nodeClass, 0.0),
                item.directEnergyJoules(), item.facilityOverheadJoules(), item.pue());
    }

}
