package io.tokenfactory.metering.usage;

import static io.tokenfactory.metering.MeteringEvents.usage;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tokenfactory.contracts.EnergySource;
import io.tokenfactory.contracts.UsageOutcome;
import io.tokenfactory.contracts.UsageRecorded;
import io.tokenfactory.testsupport.ServiceIntegrationTest;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The raw usage table keeps each record exactly as it arrived (every column, text with
 * tabs, newlines and backslashes, microseconds), and a batch that repeats records already
 * there, or within itself, adds only the new ones.
 */
@ServiceIntegrationTest
class RawUsageIntegrationTests {

    @Autowired
    UsageIngestion ingestion;

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void keepsEveryFieldOfARecordExactly() {
        Instant at = Instant.now().truncatedTo(ChronoUnit.MICROS);
        UsageRecorded record = new UsageRecorded(UUID.randomUUID(), at, "req\twith\ttabs\nand\\slashes \\N",
                UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(), "model \"quoted\" ü",
                "remote", "node-ä", "cuda:1", 123, 456, UsageOutcome.COMPLETED, 789, 12, 3.25, EnergySource.NVML, 0.125,
                true, "h100", 1.5, "\\N", null);

        assertThat(ingestion.ingest(List.of(record))).isEqualTo(new UsageIngestion.Result(1, 0));

        Map<String, Object> row = jdbc.queryForMap("SELECT * FROM usage_record WHERE event_id = ?", record.eventId());
        assertThat(row).containsEntry("request_id", record.requestId())
            .containsEntry("occurred_at", Timestamp.from(at))
            .containsEntry("department_id", record.departmentId())
            .containsEntry("api_key_id", record.apiKeyId())
            .containsEntry("agent_id", record.agentId())
            .containsEntry("agent_run_id", record.agentRunId())
            .containsEntry("model", record.model())
            .containsEntry("backend", "remote")
            .containsEntry("node", "node-ä")
            .containsEntry("device", "cuda:1")
            .containsEntry("prompt_tokens", 123L)
            .containsEntry("completion_tokens", 456L)
            .containsEntry("outcome", "COMPLETED")
            .containsEntry("latency_ms", 789L)
            .containsEntry("time_to_first_token_ms", 12L)
            .containsEntry("energy_source", "NVML")
            .containsEntry("tokens_estimated", true)
            .containsEntry("node_class", "h100")
            .containsEntry("end_user", "\\N");
        assertThat((BigDecimal) row.get("energy_joules")).isEqualByComparingTo("3.25");
        assertThat((BigDecimal) row.get("accelerator_seconds")).isEqualByComparingTo("0.125");
        assertThat((BigDecimal) row.get("energy_gap_seconds")).isEqualByComparingTo("1.5");
    }

    @Test
    void aBatchAddsOnlyTheRecordsNotYetThere() {
        UUID department = UUID.randomUUID();
        Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        UsageRecorded first = usage(department, at, 10, 20, 1.0);
        UsageRecorded second = usage(department, at, 30, 40, 2.0);
        UsageRecorded third = usage(department, at.plusSeconds(1), 50, 60, 3.0);
        ingestion.ingest(List.of(first, second));

        UsageIngestion.Result again = ingestion.ingest(List.of(second, third, third, first));

        assertThat(again).isEqualTo(new UsageIngestion.Result(1, 3));
        Map<String, Object> stored = jdbc.queryForMap(
                "SELECT count(*) AS records, sum(prompt_tokens) AS prompt FROM usage_record WHERE department_id = ?",
                department);
        assertThat(stored).containsEntry("records", 3L);
        assertThat(((Number) stored.get("prompt")).longValue()).isEqualTo(90L);
    }

}
