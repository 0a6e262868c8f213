package io.tokenfactory.billing.charging;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * What billing charged for usage in a window (by when the request happened), per
 * department and model — requests, tokens and direct joules — and the idle joules and
 * accelerator time it charged per department: the billed side of metering's
 * reconciliation. Embedding tokens count as prompt tokens, as inference and metering
 * count them.
 */
@Service
public class BilledUsage {

    public record Billed(List<Row> rows, List<Idle> idle) {
    }

    public record Row(UUID department, String model, long requests, long promptTokens, long completionTokens,
            BigDecimal energyJoules) {
    }

    public record Idle(UUID department, BigDecimal idleJoules, BigDecimal idleAcceleratorSeconds) {
    }

    private final JdbcTemplate jdbc;

    BilledUsage(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Transactional(readOnly = true)
    public Billed between(Instant from, Instant to) {
        List<Row> rows = jdbc.query("""
                SELECT department_id, model, count(*), sum(prompt_tokens + embedding_tokens), sum(completion_tokens),
                    sum(direct_joules)
                FROM usage_charge WHERE occurred_at >= ? AND occurred_at < ?
                GROUP BY department_id, model ORDER BY department_id, model""",
                (row, i) -> new Row(row.getObject(1, UUID.class), row.getString(2), row.getLong(3), row.getLong(4),
                        row.getLong(5), row.getBigDecimal(6)),
                Timestamp.from(from), Timestamp.from(to));
        List<Idle> idle = jdbc.query("""
                SELECT department_id, sum(idle_joules), sum(idle_seconds) FROM idle_charge
                WHERE hour_start >= ? AND hour_start < ? AND revision > 0
                GROUP BY department_id ORDER BY department_id""",
                (row, i) -> new Idle(row.getObject(1, UUID.class), row.getBigDecimal(2), row.getBigDecimal(3)),
                Timestamp.from(from), Timestamp.from(to));
        return new Billed(rows, idle);
    }

}
