package io.tokenfactory.metering.carbon;

import static io.tokenfactory.metering.MeteringEvents.publish;
import static io.tokenfactory.metering.MeteringEvents.usage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tokenfactory.contracts.EnergySource;
import io.tokenfactory.contracts.UsageRecorded;
import io.tokenfactory.metering.energy.FacilityOverhead;
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
 * Carbon per token, against the real broker and database: an administrator sets grid
 * carbon intensities per node and site, effective-dated; each metered request's energy
 * (with the facility's overhead) becomes emissions at the intensity of its node when it
 * happened; usage and efficiency report them per group and per 1,000 tokens, billing is
 * told them; and an intensity that would restate metered usage is refused.
 */
@ServiceIntegrationTest
class CarbonIntegrationTests {

    private static final Instant HOUR = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(5, ChronoUnit.HOURS);

    private static final BigDecimal KWH = BigDecimal.valueOf(3_600_000);

    @Autowired
    StreamBridge streamBridge;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    FacilityOverhead facility;

    @LocalServerPort
    int port;

    @Test
    void eachRequestsEnergyBecomesEmissionsAtItsNodesIntensityWhenItHappened() {
        HttpTestClient admin = HttpTestClient.onPort(port).asAdmin();
        String node = "carbon-node-" + UUID.randomUUID();
        assertThat(add(admin, "NODE", node, HOUR, "400", "grid operator").getStatusCode())
            .isEqualTo(HttpStatus.CREATED);
        assertThat(add(admin, "NODE", node, HOUR.plus(30, ChronoUnit.MINUTES), "200", null).getStatusCode())
            .isEqualTo(HttpStatus.CREATED);
        // the site's nodes come from configuration (src/test/resources/config)
        ResponseEntity<JsonNode> site = add(admin, "SITE", "carbon-test-site", HOUR, "100", null);
        assertThat(site.getStatusCode()).as(site.getBody().toString()).isIn(HttpStatus.CREATED, HttpStatus.CONFLICT);

        UUID department = UUID.randomUUID();
        UsageRecorded early = usage(department, null, "byte-lm-moby", node, HOUR.plusSeconds(5), 600, 400, 36_000);
        UsageRecorded late = usage(department, null, "byte-lm-moby", node, HOUR.plus(40, ChronoUnit.MINUTES), 300, 200,
                36_000);
        UsageRecorded unmetered = usage(department, null, "byte-lm-moby", node, HOUR.plusSeconds(6), 50, 50, 0,
                EnergySource.NONE);
        UsageRecorded atSite = usage(department, null, "byte-lm-moby", "carbon-site-node", HOUR.plusSeconds(7), 100,
                100, 72_000);
        UsageRecorded nowhere = usage(department, null, "byte-lm-moby", "carbon-free-node-" + UUID.randomUUID(),
                HOUR.plusSeconds(8), 10, 10, 1_000);
        List.of(early, late, unmetered, atSite, nowhere).forEach(event -> publish(streamBridge, event));
        await().atMost(Duration.ofSeconds(20))
            .until(() -> jdbc.queryForObject("SELECT count(*) FROM usage_record WHERE department_id = ?", Long.class,
                    department) == 5);

        // 0.01 kWh (× PUE) at 400 g/kWh, then at 200 after the change; 0.02 kWh at the
        // site's 100
        BigDecimal earlyGrams = grams(early, "400");
        BigDecimal lateGrams = grams(late, "200");
        BigDecimal siteGrams = grams(atSite, "100");
        assertThat(emissionsOf(early)).isEqualByComparingTo(earlyGrams);
        assertThat(emissionsOf(late)).isEqualByComparingTo(lateGrams);
        assertThat(emissionsOf(atSite)).isEqualByComparingTo(siteGrams);
        // no energy figure, or no intensity in force: no emissions, never 0 g
        assertThat(emissionsOf(unmetered)).isNull();
        assertThat(emissionsOf(nowhere)).isNull();

        // usage by node: the grams over the tokens they cover, per 1,000
        JsonNode usage = HttpTestClient.onPort(port)
            .withToken(TestTokens.department(department, "usage:read"))
            .get("/api/metering/usage?from=" + HOUR + "&to=" + HOUR.plus(1, ChronoUnit.HOURS)
                    + "&granularity=total&groupBy=node&department=" + department)
            .getBody();
        JsonNode ofNode = row(usage.get("rows"), node);
        assertThat(ofNode.get("emissionsGramsCo2e").decimalValue()).isEqualByComparingTo(earlyGrams.add(lateGrams));
        assertThat(ofNode.get("tokensWithEmissions").asLong()).isEqualTo(1_500);
        assertThat(ofNode.get("gramsCo2ePerThousandTokens").decimalValue())
            .isEqualByComparingTo(perThousand(earlyGrams.add(lateGrams), 1_500));
        assertThat(row(usage.get("rows"), nowhere.node()).get("gramsCo2ePerThousandTokens").isNull()).isTrue();
        assertThat(usage.get("totals").get("emissionsGramsCo2e").decimalValue())
            .isEqualByComparingTo(earlyGrams.add(lateGrams).add(siteGrams));

        // efficiency by model: the same emissions per 1,000 tokens, from the rollups
        JsonNode efficiency = admin
            .get("/api/metering/efficiency?from=" + HOUR + "&to=" + HOUR.plus(1, ChronoUnit.HOURS)
                    + "&groupBy=node&department=" + department)
            .getBody();
        JsonNode efficientNode = row(efficiency.get("rows"), node);
        assertThat(efficientNode.get("emissionsGramsCo2e").decimalValue())
            .isEqualByComparingTo(earlyGrams.add(lateGrams));
        assertThat(efficientNode.get("gramsCo2ePerThousandTokens").decimalValue())
            .isEqualByComparingTo(perThousand(earlyGrams.add(lateGrams), 1_500));

        // billing is told each record's emissions with its energy
        String published = jdbc.queryForObject(
                """
                        SELECT string_agg(serialized_event, ' ') FROM (SELECT serialized_event FROM event_publication
                            UNION ALL SELECT serialized_event FROM event_publication_archive) p WHERE serialized_event LIKE ?""",
                String.class, "%" + early.eventId() + "%");
        assertThat(published).contains("\"emissionsGrams\":" + earlyGrams.toPlainString());
    }

    @Test
    void anIntensityThatWouldRestateMeteredUsageIsRefusedAndBadInputChangesNothing() {
        HttpTestClient admin = HttpTestClient.onPort(port).asAdmin();
        String node = "carbon-node-" + UUID.randomUUID();
        publish(streamBridge, usage(UUID.randomUUID(), null, "byte-lm-moby", node, HOUR.plusSeconds(1), 1, 1, 10));
        await().atMost(Duration.ofSeconds(20))
            .until(() -> jdbc.queryForObject("SELECT count(*) FROM usage_record WHERE node = ?", Long.class,
                    node) == 1);
        long before = count();

        ResponseEntity<JsonNode> past = add(admin, "NODE", node, HOUR, "300", null);
        assertThat(past.getStatusCode()).isEqualTo(HttpStatus.UNPROCESSABLE_CONTENT);
        assertThat(past.getBody().get("detail").asString()).contains("already metered");
        // after the last metered request it may take effect
        assertThat(add(admin, "NODE", node, HOUR.plusSeconds(2), "300", null).getStatusCode())
            .isEqualTo(HttpStatus.CREATED);
        assertThat(add(admin, "NODE", node, HOUR.plusSeconds(2), "310", null).getStatusCode())
            .isEqualTo(HttpStatus.CONFLICT);
        assertThat(add(admin, "SITE", "atlantis", HOUR, "10", null).getStatusCode())
            .isEqualTo(HttpStatus.UNPROCESSABLE_CONTENT);
        assertThat(add(admin, "FACTORY", "somewhere", HOUR, "10", null).getStatusCode())
            .isEqualTo(HttpStatus.UNPROCESSABLE_CONTENT);
        assertThat(add(admin, "NODE", node, HOUR.plusSeconds(9), "-1", null).getStatusCode())
            .isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(admin.post("/api/metering/carbon-intensities", Map.of("scope", "PLANET", "gramsPerKwh", 1))
            .getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        // a department reads intensities but never sets them
        HttpTestClient department = HttpTestClient.onPort(port)
            .withToken(TestTokens.department(UUID.randomUUID(), "usage:read"));
        assertThat(department
            .post("/api/metering/carbon-intensities", Map.of("scope", "NODE", "target", node, "gramsPerKwh", 1))
            .getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        ResponseEntity<JsonNode> listed = department.get("/api/metering/carbon-intensities");
        assertThat(listed.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(listed.getBody().get("sites").get("carbon-test-site").get(0).asString())
            .isEqualTo("carbon-site-node");
        assertThat(count()).isEqualTo(before + 1);
    }

    private ResponseEntity<JsonNode> add(HttpTestClient admin, String scope, String target, Instant from, String grams,
            String source) {
        Map<String, Object> body = new java.util.HashMap<>(
                Map.of("scope", scope, "effectiveFrom", from.toString(), "gramsPerKwh", new BigDecimal(grams)));
        if (target != null) {
            body.put("target", target);
        }
        if (source != null) {
            body.put("source", source);
        }
        return admin.post("/api/metering/carbon-intensities", body);
    }

    private BigDecimal grams(UsageRecorded usage, String intensity) {
        BigDecimal direct = new BigDecimal(Double.toString(usage.energyJoules()));
        BigDecimal joules = direct.add(facility.overheadJoules(direct, usage.occurredAt()));
        return joules.multiply(new BigDecimal(intensity)).divide(KWH, 6, RoundingMode.HALF_EVEN);
    }

    private static BigDecimal perThousand(BigDecimal grams, long tokens) {
        return grams.multiply(BigDecimal.valueOf(1000)).divide(BigDecimal.valueOf(tokens), 6, RoundingMode.HALF_EVEN);
    }

    private BigDecimal emissionsOf(UsageRecorded usage) {
        return jdbc.queryForObject("SELECT emissions_grams FROM usage_record WHERE event_id = ?", BigDecimal.class,
                usage.eventId());
    }

    private long count() {
        return jdbc.queryForObject("SELECT count(*) FROM carbon_intensity", Long.class);
    }

    private static JsonNode row(JsonNode rows, String node) {
        for (JsonNode row : rows) {
            if (node.equals(row.get("node").asString())) {
                return row;
            }
        }
        throw new AssertionError("no row for node " + node + " in " + rows);
    }

}
