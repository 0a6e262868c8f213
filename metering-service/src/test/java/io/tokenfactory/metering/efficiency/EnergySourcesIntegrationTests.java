package io.tokenfactory.metering.efficiency;

import static io.tokenfactory.metering.MeteringEvents.publish;
import static io.tokenfactory.metering.MeteringEvents.usage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

import io.tokenfactory.contracts.EnergySource;
import io.tokenfactory.testsupport.HttpTestClient;
import io.tokenfactory.testsupport.ServiceIntegrationTest;
import io.tokenfactory.testsupport.TestTokens;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.JdbcTemplate;

import tools.jackson.databind.JsonNode;

/**
 * Every figure says where its energy came from, and tokens without an energy figure never
 * inflate a ratio: a department using a measured model and an unmetered one has the
 * measured model's tokens per joule.
 */
@ServiceIntegrationTest
class EnergySourcesIntegrationTests {

    private static final Instant HOUR = Instant.now()
        .truncatedTo(ChronoUnit.DAYS)
        .minus(5, ChronoUnit.DAYS)
        .plus(9, ChronoUnit.HOURS);

    @Autowired
    StreamBridge streamBridge;

    @Autowired
    JdbcTemplate jdbc;

    @LocalServerPort
    int port;

    private final UUID department = UUID.randomUUID();

    @Test
    void aDepartmentUsingAnUnmeteredModelAndAMeasuredOneHasTheMeasuredModelsTokensPerJoule() {
        publishUsage(false);

        JsonNode byModel = efficiency("groupBy=model");
        JsonNode measured = row(byModel, "model", "gpu-llm");
        JsonNode unmetered = row(byModel, "model", "vendor-llm");
        JsonNode wholeDepartment = efficiency("groupBy=department").get("rows").get(0);

        assertThat(measured.get("tokensPerJoule").decimalValue()).isEqualByComparingTo("4");
        assertThat(wholeDepartment.get("tokensPerJoule").decimalValue())
            .isEqualByComparingTo(measured.get("tokensPerJoule").decimalValue());
        assertThat(wholeDepartment.get("tokens").asLong()).isEqualTo(400 + 900);
        assertThat(wholeDepartment.get("tokensWithoutEnergy").asLong()).isEqualTo(900);
        // a model with no energy figure at all has no ratio: null, never a number
        assertThat(unmetered.get("tokensPerJoule").isNull()).isTrue();
        assertThat(unmetered.get("joulesPerToken").isNull()).isTrue();
        assertThat(unmetered.get("tokensWithoutEnergy").asLong()).isEqualTo(900);
        assertThat(wholeDepartment.at("/energySources/DCGM/tokens").asLong()).isEqualTo(400);
        assertThat(wholeDepartment.at("/energySources/NONE/tokens").asLong()).isEqualTo(900);
    }

    @Test
    void usageAndEfficiencyGroupByEnergySourceAndFilterOnIt() {
        publishUsage(true);

        JsonNode bySource = efficiency("groupBy=energySource");
        assertThat(bySource.get("rows")).extracting(row -> row.get("energySource").asString())
            .containsExactly("DCGM", "ESTIMATED", "NONE");
        assertThat(row(bySource, "energySource", "ESTIMATED").get("tokensPerJoule").decimalValue())
            .isEqualByComparingTo("5");
        assertThat(row(bySource, "energySource", "DCGM").has("energySources")).isFalse();

        JsonNode usage = usageReport("groupBy=energySource&granularity=total");
        assertThat(row(usage, "energySource", "NONE").get("tokensWithoutEnergy").asLong()).isEqualTo(900);
        assertThat(row(usage, "energySource", "DCGM").get("energyJoules").decimalValue()).isEqualByComparingTo("100");
        JsonNode total = usageReport("granularity=total").get("rows").get(0);
        assertThat(total.has("energySource")).isFalse();
        assertThat(total.at("/energySources/DCGM/energyJoules").decimalValue()).isEqualByComparingTo("100");
        assertThat(total.get("tokensWithoutEnergy").asLong()).isEqualTo(900);
        assertThat(usageReport("granularity=total").at("/totals/tokensWithoutEnergy").asLong()).isEqualTo(900);

        JsonNode onlyMeasured = usageReport("granularity=total&energySource=dcgm").get("rows").get(0);
        assertThat(onlyMeasured.get("totalTokens").asLong()).isEqualTo(400);
        String csv = HttpTestClient.onPort(port)
            .withToken(TestTokens.department(department, "usage:read"))
            .getText(window() + "&granularity=total&groupBy=energySource&format=csv")
            .getBody();
        assertThat(csv).startsWith("\"start\",\"energy_source\",\"requests\"").contains("\"NONE\",2,");
    }

    /**
     * A GPU model measured by DCGM (400 tokens, 100 J), a vendor's with no energy figure
     * (900), an estimate (40, 8 J).
     */
    private void publishUsage(boolean withEstimate) {
        publish(streamBridge, usage(department, null, "gpu-llm", "gpu-node-7", HOUR.plusSeconds(60), 100, 100, 50,
                EnergySource.DCGM));
        publish(streamBridge, usage(department, null, "gpu-llm", "gpu-node-7", HOUR.plusSeconds(120), 100, 100, 50,
                EnergySource.DCGM));
        publish(streamBridge, usage(department, null, "vendor-llm", "api.vendor.example", HOUR.plusSeconds(180), 200,
                250, 0, EnergySource.NONE));
        publish(streamBridge, usage(department, null, "vendor-llm", "api.vendor.example", HOUR.plusSeconds(240), 200,
                250, 0, EnergySource.NONE));
        if (withEstimate) {
            publish(streamBridge, usage(department, null, "byte-lm-moby", "local", HOUR.plusSeconds(300), 20, 20, 8,
                    EnergySource.ESTIMATED));
        }
        await().atMost(Duration.ofSeconds(20))
            .until(() -> jdbc.queryForObject("SELECT count(*) FROM usage_hourly WHERE department_id = ?", Long.class,
                    department) == (withEstimate ? 3 : 2));
    }

    private JsonNode efficiency(String query) {
        return get("/api/metering/efficiency?from=" + HOUR + "&to=" + HOUR.plus(1, ChronoUnit.HOURS) + "&" + query);
    }

    private JsonNode usageReport(String query) {
        return get(window() + "&" + query);
    }

    private String window() {
        return "/api/metering/usage?from=" + HOUR + "&to=" + HOUR.plus(1, ChronoUnit.HOURS);
    }

    private JsonNode get(String path) {
        var response = HttpTestClient.onPort(port).withToken(TestTokens.department(department, "usage:read")).get(path);
        assertThat(response.getStatusCode()).as(path).isEqualTo(HttpStatus.OK);
        return response.getBody();
    }

    private static JsonNode row(JsonNode report, String field, String value) {
        for (JsonNode row : report.get("rows")) {
            if (value.equals(row.path(field).asString())) {
                return row;
            }
        }
        throw new AssertionError("no row with " + field + " " + value + " in " + report);
    }

}
