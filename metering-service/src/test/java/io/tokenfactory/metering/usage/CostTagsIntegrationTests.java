package io.tokenfactory.metering.usage;

import static io.tokenfactory.metering.MeteringEvents.publish;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tokenfactory.contracts.EnergySource;
import io.tokenfactory.contracts.UsageOutcome;
import io.tokenfactory.contracts.UsageRecorded;
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
 * Cost centres below the department, against the real broker and database: the cost tags
 * each request carried are kept with it, and usage and efficiency group and filter by
 * team and project (read from the raw records, which keep them); a record whose tags
 * break the rules is parked, never counted.
 */
@ServiceIntegrationTest
class CostTagsIntegrationTests {

    private static final Instant HOUR = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(2, ChronoUnit.HOURS);

    @Autowired
    StreamBridge streamBridge;

    @Autowired
    JdbcTemplate jdbc;

    @LocalServerPort
    int port;

    @Test
    void usageAndEfficiencyGroupAndFilterByTeamAndProject() {
        UUID department = UUID.randomUUID();
        List<UsageRecorded> records = List.of(
                tagged(department, 100, 50, 2.0, Map.of("team", "search", "project", "rag", "costcode", "CC-7")),
                tagged(department, 200, 100, 4.0, Map.of("team", "search", "project", "agents")),
                tagged(department, 10, 10, 1.0, Map.of("team", "ranking")), tagged(department, 5, 5, 1.0, Map.of()));
        records.forEach(record -> publish(streamBridge, record));
        await().atMost(Duration.ofSeconds(20))
            .until(() -> jdbc.queryForObject("SELECT count(*) FROM usage_record WHERE department_id = ?", Long.class,
                    department) == 4);
        assertThat(jdbc.queryForObject("SELECT tags FROM usage_record WHERE event_id = ?", String.class,
                records.get(0).eventId()))
            .isEqualTo("{\"costcode\":\"CC-7\",\"project\":\"rag\",\"team\":\"search\"}");

        HttpTestClient client = HttpTestClient.onPort(port).withToken(TestTokens.department(department, "usage:read"));
        String window = "from=" + HOUR + "&to=" + HOUR.plus(1, ChronoUnit.HOURS);
        JsonNode byTeam = client.get("/api/metering/usage?" + window + "&granularity=total&groupBy=team").getBody();
        assertThat(byTeam.get("rows"))
            .extracting(row -> row.path("team").asString("(none)") + "=" + row.get("totalTokens").asLong())
            .containsExactly("ranking=20", "search=450", "(none)=10");

        JsonNode searchProjects = client
            .get("/api/metering/usage?" + window + "&granularity=hour&groupBy=project&team=search")
            .getBody();
        assertThat(searchProjects.get("rows")).extracting(row -> row.get("project").asString())
            .containsExactly("agents", "rag");

        JsonNode efficiency = client.get("/api/metering/efficiency?" + window + "&groupBy=team,project").getBody();
        assertThat(efficiency.get("rows")).hasSize(4);
        JsonNode rag = null;
        for (JsonNode row : efficiency.get("rows")) {
            if ("rag".equals(row.path("project").asString(null))) {
                rag = row;
            }
        }
        assertThat(rag).isNotNull();
        assertThat(rag.get("team").asString()).isEqualTo("search");
        assertThat(rag.get("tokens").asLong()).isEqualTo(150);
        assertThat(rag.get("tokensPerJoule").decimalValue()).isEqualByComparingTo("75");

        String csv = client.getText("/api/metering/usage?" + window + "&granularity=total&groupBy=team&format=csv")
            .getBody();
        assertThat(csv.split("\r\n")[0]).startsWith("\"start\",\"team\",\"requests\"");
        assertThat(client.get("/api/metering/usage?team=" + "x".repeat(101)).getStatusCode())
            .isEqualTo(HttpStatus.BAD_REQUEST);
    }

    @Test
    void aRecordWhoseTagsBreakTheRulesIsParkedNotCounted() {
        UUID department = UUID.randomUUID();
        UsageRecorded bad = tagged(department, 1, 1, 0.1, Map.of("Team Name", "x"));
        UsageRecorded good = tagged(department, 1, 1, 0.1, Map.of("team", "search"));
        publish(streamBridge, bad);
        publish(streamBridge, good);
        await().atMost(Duration.ofSeconds(20))
            .until(() -> jdbc.queryForObject("SELECT count(*) FROM usage_record WHERE department_id = ?", Long.class,
                    department) == 1);
        await().atMost(Duration.ofSeconds(20))
            .until(() -> jdbc.queryForObject("SELECT count(*) FROM dead_letter WHERE event_id = ?", Long.class,
                    bad.eventId().toString()) == 1);
    }

    private static UsageRecorded tagged(UUID department, long prompt, long completion, double joules,
            Map<String, String> tags) {
        return new UsageRecorded(UUID.randomUUID(), HOUR.plusSeconds(30), "req-" + UUID.randomUUID(), department,
                UUID.randomUUID(), null, null, "byte-lm-moby", "djl", "node-a", "cpu0", prompt, completion,
                UsageOutcome.COMPLETED, 900, 80, joules, EnergySource.RAPL, 0.9, false, null, 0.0, null, null, tags);
    }

}
