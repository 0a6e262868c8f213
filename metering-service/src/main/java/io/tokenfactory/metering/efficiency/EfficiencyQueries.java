package io.tokenfactory.metering.efficiency;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.tokenfactory.metering.TimeBuckets;
import io.tokenfactory.metering.energy.FacilityOverhead;
import io.tokenfactory.metering.usage.UsageQuery.Dimension;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Tokens per joule, joules per token, watts and tokens per second for any grouping and window (see {@link Efficiency}). */
@Service
public class EfficiencyQueries {

    private static final int RATIO_SCALE = 6;

    public record Scope(UUID department, UUID agent, String model, String node) {
    }

    private final JdbcTemplate jdbc;
    private final FacilityOverhead facility;

    EfficiencyQueries(JdbcTemplate jdbc, FacilityOverhead facility) {
        this.jdbc = jdbc;
        this.facility = facility;
    }

    @Transactional(readOnly = true)
    public Efficiency efficiency(Instant from, Instant to, List<Dimension> groupBy, Scope scope) {
        Instant start = TimeBuckets.floor(from, ChronoUnit.HOURS);
        Instant end = TimeBuckets.ceil(to, ChronoUnit.HOURS);
        StringBuilder dimensions = new StringBuilder();
        StringBuilder grouping = new StringBuilder();
        for (Dimension dimension : Dimension.values()) {
            if (groupBy.contains(dimension)) {
                dimensions.append("u.").append(columnOf(dimension)).append(", ");
                grouping.append(grouping.isEmpty() ? " GROUP BY " : ", ").append("u.").append(columnOf(dimension));
            } else {
                dimensions.append("NULL, ");
            }
        }
        List<Object> parameters = new ArrayList<>(List.of(Timestamp.from(start), Timestamp.from(end),
                Timestamp.from(start), Timestamp.from(end)));
        StringBuilder filters = new StringBuilder();
        filter(filters, parameters, "department_id", scope.department());
        filter(filters, parameters, "agent_id", scope.agent());
        filter(filters, parameters, "model", scope.model());
        filter(filters, parameters, "node", scope.node());
        String sql = """
                WITH pue AS %s,
                node_busy AS (
                    SELECT hour_start, node, sum(energy_joules) AS busy FROM usage_hourly
                    WHERE hour_start >= ? AND hour_start < ? GROUP BY hour_start, node),
                u AS (
                    SELECT u.*, CASE WHEN b.busy > 0 THEN u.energy_joules * COALESCE(n.idle_joules, 0) / b.busy ELSE 0 END
                            AS idle_share,
                        COALESCE((SELECT factor FROM pue WHERE pue.effective_from <= u.hour_start
                            AND (pue.until IS NULL OR pue.until > u.hour_start)), 1) - 1 AS overhead_factor
                    FROM usage_hourly u
                    JOIN node_busy b ON b.hour_start = u.hour_start AND b.node = u.node
                    LEFT JOIN node_hour n ON n.hour_start = u.hour_start AND n.node = u.node
                    WHERE u.hour_start >= ? AND u.hour_start < ?%s)
                SELECT %s sum(u.requests), sum(u.prompt_tokens + u.completion_tokens), sum(u.energy_joules),
                    round(sum(u.idle_share), 9), round(sum((u.energy_joules + u.idle_share) * u.overhead_factor), 9)
                FROM u%s
                HAVING count(*) > 0
                ORDER BY 1, 2, 3, 4
                LIMIT 100000""".formatted(facility.asSqlTable(), filters, dimensions, grouping);
        BigDecimal seconds = BigDecimal.valueOf(Duration.between(start, end).toSeconds());
        List<Efficiency.Row> rows = jdbc.query(sql, (row, i) -> row(row.getObject(1, UUID.class),
                row.getObject(2, UUID.class), row.getString(3), row.getString(4), row.getLong(5), row.getLong(6),
                row.getBigDecimal(7), row.getBigDecimal(8), row.getBigDecimal(9), seconds), parameters.toArray());
        return new Efficiency(start, end, groupBy, rows);
    }

    private static Efficiency.Row row(UUID department, UUID agent, String model, String node, long requests, long tokens,
            BigDecimal direct, BigDecimal idle, BigDecimal overhead, BigDecimal seconds) {
        BigDecimal allIn = direct.add(idle).add(overhead);
        BigDecimal tokenCount = BigDecimal.valueOf(tokens);
        return new Efficiency.Row(department, agent, model, node, requests, tokens, direct, idle, overhead, allIn,
                ratio(tokenCount, direct), ratio(tokenCount, allIn), ratio(allIn, tokenCount), ratio(allIn, seconds),
                ratio(tokenCount, seconds));
    }

    /** null when the denominator is zero: "no energy measured" is not "infinitely efficient". */
    private static BigDecimal ratio(BigDecimal numerator, BigDecimal denominator) {
        return denominator.signum() == 0 ? null : numerator.divide(denominator, RATIO_SCALE, RoundingMode.HALF_EVEN);
    }

    private static void filter(StringBuilder sql, List<Object> parameters, String column, Object value) {
        if (value != null) {
            sql.append(" AND u.").append(column).append(" = ?");
            parameters.add(value);
        }
    }

    private static String columnOf(Dimension dimension) {
        return switch (dimension) {
            case DEPARTMENT -> "department_id";
            case AGENT -> "agent_id";
            case MODEL -> "model";
            case NODE -> "node";
        };
    }
}
