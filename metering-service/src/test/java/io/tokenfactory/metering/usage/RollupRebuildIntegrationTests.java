package io.tokenfactory.metering.usage;

import static io.tokenfactory.metering.MeteringEvents.usage;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import io.tokenfactory.contracts.UsageRecorded;
import io.tokenfactory.testsupport.HttpTestClient;
import io.tokenfactory.testsupport.ServiceIntegrationTest;
import io.tokenfactory.testsupport.TestTokens;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;

import tools.jackson.databind.JsonNode;

/**
 * Rollups rebuilt from raw usage equal the rollups kept batch by batch, row for row and
 * to the nanojoule.
 */
@ServiceIntegrationTest
class RollupRebuildIntegrationTests {

    private static final Instant FROM = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(20, ChronoUnit.DAYS);

    private static final Instant TO = FROM.plus(3, ChronoUnit.DAYS);

    @Autowired
    UsageIngestion ingestion;

    @Autowired
    JdbcTemplate jdbc;

    @LocalServerPort
    int port;

    @Test
    void rebuildingAWindowGivesTheSameRollupsAsIncrementalIngestionAndRepairsDamage() {
        Random random = new Random(42);
        List<UUID> departments = List.of(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID());
        List<UUID> agents = new ArrayList<>();
        agents.add(null);
        agents.add(UUID.randomUUID());
        agents.add(UUID.randomUUID());
        List<UsageRecorded> records = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            Instant at = FROM.plusSeconds(random.nextLong(ChronoUnit.DAYS.getDuration().toSeconds() * 3));
            records.add(usage(departments.get(random.nextInt(3)), agents.get(random.nextInt(3)),
                    random.nextBoolean() ? "byte-lm-moby" : "llama-3.1-8b", random.nextBoolean() ? "node-a" : "node-b",
                    at, random.nextInt(2_000), random.nextInt(500), random.nextInt(1_000_000) / 997.0));
        }
        // in batches of every size, with duplicates across batches
        for (int start = 0; start < records.size(); start += 1 + start % 350) {
            ingestion.ingest(records.subList(start, Math.min(records.size(), start + 1 + start % 350)));
        }
        ingestion.ingest(records.subList(100, 400));
        List<Map<String, Object>> hourly = rows("usage_hourly", "hour_start");
        List<Map<String, Object>> daily = rows("usage_daily", "day_start");
        assertThat(hourly).isNotEmpty();
        assertThat(totalRequests(departments)).isEqualTo(2_000);

        // damage both rollups, then rebuild the window through the admin API
        jdbc.update(
                "UPDATE usage_hourly SET requests = requests + 7, energy_joules = energy_joules * 2 WHERE hour_start >= ? "
                        + "AND hour_start < ?",
                Timestamp.from(FROM), Timestamp.from(TO));
        jdbc.update("DELETE FROM usage_daily WHERE day_start = ?", Timestamp.from(FROM));
        ResponseEntity<JsonNode> rebuilt = HttpTestClient.onPort(port)
            .asAdmin()
            .post("/api/metering/admin/rollups/rebuild?from=" + FROM.plusSeconds(3600) + "&to=" + TO, null);

        assertThat(rebuilt.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(rebuilt.getBody().get("from").asString()).isEqualTo(FROM.toString());
        assertThat(rows("usage_hourly", "hour_start")).isEqualTo(hourly);
        assertThat(rows("usage_daily", "day_start")).isEqualTo(daily);
    }

    @Test
    void onlyAdministratorsRebuildAndBadWindowsChangeNothing() {
        ResponseEntity<JsonNode> department = HttpTestClient.onPort(port)
            .withToken(TestTokens.department(UUID.randomUUID(), "usage:read"))
            .post("/api/metering/admin/rollups/rebuild?from=" + FROM + "&to=" + TO, null);
        assertThat(department.getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);

        ResponseEntity<JsonNode> backwards = HttpTestClient.onPort(port)
            .asAdmin()
            .post("/api/metering/admin/rollups/rebuild?from=" + TO + "&to=" + FROM, null);
        assertThat(backwards.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(backwards.getBody().get("code").asString()).isEqualTo("invalid_parameter");

        ResponseEntity<JsonNode> expired = HttpTestClient.onPort(port)
            .asAdmin()
            .post("/api/metering/admin/rollups/rebuild?from=2020-01-01T00:00:00Z&to=2020-01-02T00:00:00Z", null);
        assertThat(expired.getStatusCode()).isEqualTo(HttpStatus.UNPROCESSABLE_CONTENT);
        assertThat(expired.getBody().get("code").asString()).isEqualTo("raw_usage_expired");

        ResponseEntity<JsonNode> garbage = HttpTestClient.onPort(port)
            .asAdmin()
            .post("/api/metering/admin/rollups/rebuild?from=yesterday&to=" + TO, null);
        assertThat(garbage.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
    }

    private List<Map<String, Object>> rows(String table, String bucket) {
        return jdbc.queryForList(("SELECT %2$s, department_id, agent_id, model, node, requests, prompt_tokens, "
                + "completion_tokens, energy_joules::text AS energy, accelerator_seconds::text AS seconds FROM %1$s "
                + "WHERE %2$s >= ? AND %2$s < ? ORDER BY 1, 2, 3 NULLS FIRST, 4, 5")
            .formatted(table, bucket), Timestamp.from(FROM), Timestamp.from(TO));
    }

    private long totalRequests(List<UUID> departments) {
        return departments.stream()
            .mapToLong(department -> jdbc.queryForObject(
                    "SELECT COALESCE(sum(requests), 0) FROM usage_hourly WHERE department_id = ?", Long.class,
                    department))
            .sum();
    }

}
