package io.tokenfactory.inference.usage;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * What this service served in a window, from its request log: the numbers
 * metering-service reconciles against, in total and per department and model. A request
 * counts in the window its response completed in (the {@code occurredAt} of its usage
 * event); {@code awaitingEnergy} are those whose usage event has not gone out yet because
 * their energy is not settled (seconds, normally).
 */
@Service
public class UsageSummary {

    public record Served(long requests, long promptTokens, long completionTokens, BigDecimal energyJoules,
            long awaitingEnergy, List<Row> rows) {
    }

    public record Row(UUID department, String model, long requests, long promptTokens, long completionTokens,
            BigDecimal energyJoules, long awaitingEnergy) {
    }

    private final JdbcTemplate jdbc;

    UsageSummary(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Transactional(readOnly = true)
    public Served between(Instant from, Instant to) {
        List<Row> rows = jdbc.query("""
                SELECT department_id, model, count(*), COALESCE(sum(prompt_tokens), 0),
                    COALESCE(sum(completion_tokens), 0), COALESCE(sum(energy_joules::numeric), 0),
                    count(*) FILTER (WHERE energy_settled_at IS NULL)
                FROM inference_request WHERE completed_at >= ? AND completed_at < ?
                GROUP BY department_id, model ORDER BY department_id, model""",
                (row, i) -> new Row(row.getObject(1, UUID.class), row.getString(2), row.getLong(3), row.getLong(4),
                        row.getLong(5), row.getBigDecimal(6), row.getLong(7)),
                Timestamp.from(from), Timestamp.from(to));
        return new Served(rows.stream().mapToLong(Row::requests).sum(),
                rows.stream().mapToLong(Row::promptTokens).sum(), rows.stream().mapToLong(Row::completionTokens).sum(),
                rows.stream().map(Row::energyJoules).reduce(BigDecimal.ZERO, BigDecimal::add),
                rows.stream().mapToLong(Row::awaitingEnergy).sum(), rows);
    }

}
