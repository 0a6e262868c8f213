package io.tokenfactory.metering.usage;

import static io.tokenfactory.metering.MeteringEvents.usage;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tokenfactory.contracts.UsageRecorded;
import io.tokenfactory.testsupport.HttpTestClient;
import io.tokenfactory.testsupport.ServiceIntegrationTest;
import io.tokenfactory.testsupport.TestTokens;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

import tools.jackson.databind.JsonNode;

/**
 * The usage API: totals and series by any grouping, JSON and CSV, and each department
 * sees only itself.
 */
@ServiceIntegrationTest
class UsageApiIntegrationTests {

    private static final Instant DAY = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(5, ChronoUnit.DAYS);

    @Autowired
    UsageIngestion ingestion;

    @LocalServerPort
    int port;

    private final UUID research = UUID.randomUUID();

    private final UUID finance = UUID.randomUUID();

    private final UUID agent = UUID.randomUUID();

    @BeforeEach
    void meterSomeUsage() {
        ingestion.ingest(
                List.of(usage(research, null, "byte-lm-moby", "node-a", DAY.plusSeconds(10 * 3600 + 61), 100, 200, 1.5),
                        usage(research, agent, "byte-lm-moby", "node-a", DAY.plusSeconds(10 * 3600 + 125), 10, 20,
                                0.25),
                        usage(research, null, "all-minilm-l6-v2", "node-b", DAY.plusSeconds(11 * 3600 + 5), 40, 0, 0.5),
                        usage(finance, null, "byte-lm-moby", "node-a", DAY.plusSeconds(10 * 3600 + 70), 1000, 1, 9)));
    }

    @Test
    void aDepartmentReadsItsOwnUsageGroupedAndBucketedAsAsked() {
        HttpTestClient client = HttpTestClient.onPort(port).withToken(TestTokens.department(research, "usage:read"));

        ResponseEntity<JsonNode> byModel = client.get(window() + "&granularity=total&groupBy=model");
        assertThat(byModel.getStatusCode()).isEqualTo(HttpStatus.OK);
        JsonNode rows = byModel.getBody().get("rows");
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0).get("model").asString()).isEqualTo("all-minilm-l6-v2");
        assertThat(rows.get(1).get("model").asString()).isEqualTo("byte-lm-moby");
        assertThat(rows.get(1).get("requests").asLong()).isEqualTo(2);
        assertThat(rows.get(1).get("totalTokens").asLong()).isEqualTo(330);
        assertThat(rows.get(1).get("energyJoules").decimalValue()).isEqualByComparingTo("1.75");
        assertThat(byModel.getBody().get("totals").get("totalTokens").asLong()).isEqualTo(370);

        JsonNode perMinute = client.get(window() + "&granularity=minute&groupBy=agent,model").getBody().get("rows");
        assertThat(perMinute).hasSize(3);
        assertThat(perMinute.get(0).get("start").asString()).isEqualTo(DAY.plusSeconds(10 * 3600 + 60).toString());
        assertThat(perMinute.get(1).get("agent").asString()).isEqualTo(agent.toString());

        JsonNode perHour = client.get(window() + "&granularity=hour&groupBy=node").getBody().get("rows");
        assertThat(perHour)
            .extracting(row -> row.get("start").asString() + " " + row.get("node").asString() + " "
                    + row.get("requests").asLong())
            .containsExactly(DAY.plusSeconds(10 * 3600) + " node-a 2", DAY.plusSeconds(11 * 3600) + " node-b 1");

        JsonNode perDay = client.get(window() + "&granularity=day").getBody();
        assertThat(perDay.get("rows")).singleElement()
            .satisfies(row -> assertThat(row.get("requests").asLong()).isEqualTo(3));
    }

    @Test
    void usageGroupsByTheEndUserTheClientNamedInEveryGranularity() {
        UUID department = UUID.randomUUID();
        ingestion.ingest(List.of(asUser(usage(department, DAY.plusSeconds(3600 + 10), 10, 20, 0.5), "alice@example"),
                asUser(usage(department, DAY.plusSeconds(3600 + 20), 1, 2, 0.5), "alice@example"),
                asUser(usage(department, DAY.plusSeconds(2 * 3600), 100, 200, 1), "bob@example"),
                usage(department, DAY.plusSeconds(2 * 3600 + 5), 5, 5, 0.1)));
        HttpTestClient client = HttpTestClient.onPort(port).withToken(TestTokens.department(department, "usage:read"));

        JsonNode total = client.get(window() + "&granularity=total&groupBy=user").getBody();
        assertThat(total.get("rows"))
            .extracting(row -> row.path("user").asString("(none)") + " " + row.get("requests").asLong() + " "
                    + row.get("totalTokens").asLong())
            .containsExactlyInAnyOrder("alice@example 2 33", "bob@example 1 300", "(none) 1 10");
        JsonNode perHour = client.get(window() + "&granularity=hour&groupBy=user&user=alice@example")
            .getBody()
            .get("rows");
        assertThat(perHour).singleElement().satisfies(row -> {
            assertThat(row.get("start").asString()).isEqualTo(DAY.plusSeconds(3600).toString());
            assertThat(row.get("totalTokens").asLong()).isEqualTo(33);
        });
        assertThat(client.getText(window() + "&granularity=day&groupBy=user&format=csv").getBody()).contains("\"user\"",
                "\"alice@example\"", "\"bob@example\"");
        // efficiency comes from the hourly rollups, which keep no end user
        assertThat(client.get("/api/metering/efficiency?groupBy=user").getStatusCode())
            .isEqualTo(HttpStatus.BAD_REQUEST);
    }

    private static UsageRecorded asUser(UsageRecorded u, String user) {
        return new UsageRecorded(u.eventId(), u.occurredAt(), u.requestId(), u.departmentId(), u.apiKeyId(),
                u.agentId(), u.agentRunId(), u.model(), u.backend(), u.node(), u.device(), u.promptTokens(),
                u.completionTokens(), u.outcome(), u.latencyMs(), u.timeToFirstTokenMs(), u.energyJoules(),
                u.energySource(), u.acceleratorSeconds(), u.tokensEstimated(), u.nodeClass(), u.energyGapSeconds(),
                user);
    }

    @Test
    void csvHoldsTheSameNumbers() {
        ResponseEntity<String> csv = HttpTestClient.onPort(port)
            .withToken(TestTokens.department(research, "usage:read"))
            .getText(window() + "&granularity=day&groupBy=model&format=csv");

        assertThat(csv.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(csv.getHeaders().getContentType().toString()).startsWith("text/csv");
        assertThat(csv.getBody().split("\r\n")).containsExactly(
                "\"start\",\"model\",\"requests\",\"prompt_tokens\",\"completion_tokens\",\"total_tokens\",\"energy_joules\","
                        + "\"accelerator_seconds\",\"energy_sources\",\"tokens_without_energy\",\"emissions_gco2e\","
                        + "\"tokens_with_emissions\",\"gco2e_per_1k_tokens\"",
                // no carbon intensity is set here: no emissions, and no figure per token
                "\"" + DAY + "\",\"all-minilm-l6-v2\",1,40,0,40,0.500000000,0.900000000,\"RAPL=0.5\",0,0.000000,0,",
                "\"" + DAY + "\",\"byte-lm-moby\",2,110,220,330,1.750000000,1.800000000,\"RAPL=1.75\",0,0.000000,0,");
    }

    @Test
    void aDepartmentCannotReadAnotherDepartmentButAnAdministratorReadsBoth() {
        ResponseEntity<JsonNode> other = HttpTestClient.onPort(port)
            .withToken(TestTokens.department(research, "usage:read"))
            .get(window() + "&department=" + finance);
        assertThat(other.getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(other.getBody().get("status").asInt()).isEqualTo(403);

        ResponseEntity<JsonNode> admin = HttpTestClient.onPort(port)
            .asAdmin()
            .get(window() + "&granularity=total&groupBy=department&model=byte-lm-moby");
        assertThat(admin.getBody().get("rows")).extracting(row -> row.get("department").asString())
            .contains(research.toString(), finance.toString());

        ResponseEntity<JsonNode> anonymous = HttpTestClient.onPort(port).get(window());
        assertThat(anonymous.getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
        ResponseEntity<JsonNode> inferenceOnly = HttpTestClient.onPort(port)
            .withToken(TestTokens.department(research, "inference"))
            .get(window());
        assertThat(inferenceOnly.getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
    }

    @Test
    void badParametersGetAProblemNamingThem() {
        HttpTestClient client = HttpTestClient.onPort(port).withToken(TestTokens.department(research, "usage:read"));
        Map<String, String> cases = Map.of("/api/metering/usage?from=yesterday", "from must be an ISO-8601 instant",
                "/api/metering/usage?granularity=fortnight", "granularity must be one of",
                "/api/metering/usage?groupBy=colour",
                "groupBy takes department, agent, model, node, energySource, user, team, project and deployment",
                "/api/metering/usage?department=' OR 1=1 --", "department must be a UUID",
                "/api/metering/usage?from=2026-11-05T00:00:00Z&to=2026-11-04T00:00:00Z", "from must be before to",
                "/api/metering/usage?from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", "longer than 400 days",
                "/api/metering/usage?from=2026-01-01T00:00:00Z&to=2026-11-01T00:00:00Z&granularity=minute",
                "more than 10000 minute buckets", "/api/metering/usage?format=xml", "format must be json or csv",
                "/api/metering/usage?energySource=solar", "energySource must be one of");
        cases.forEach((path, detail) -> {
            ResponseEntity<JsonNode> response = client.get(path);
            assertThat(response.getStatusCode()).as(path).isEqualTo(HttpStatus.BAD_REQUEST);
            assertThat(response.getHeaders().getContentType().toString()).isEqualTo("application/problem+json");
            assertThat(response.getBody().get("detail").asString()).as(path).contains(detail);
        });
    }

    private static String window() {
        return "/api/metering/usage?from=" + DAY + "&to=" + DAY.plusSeconds(86_400);
    }

}
