package io.tokenfactory.billing.charging;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The platform's headline number: cost per token = (energy cost + capacity cost) / tokens, for any grouping by
 * model, department, agent and node and any window of usage time, from the priced usage.
 */
@Service
public class CostPerToken {

    public enum Dimension {
        MODEL("model"), DEPARTMENT("department_id"), AGENT("agent_id"), NODE("node");

        final String column;

        Dimension(String column) {
            this.column = column;
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Row(String model, UUID department, UUID agent, String node, long requests, long tokens,
            BigDecimal energyCost, BigDecimal capacityCost, BigDecimal cost, BigDecimal costPerToken,
            BigDecimal costPerMillionTokens) {
    }

    public record Report(Instant from, Instant to, String currency, List<Dimension> groupBy, List<Row> rows) {
    }

    private final JdbcTemplate jdbc;
    private final BillingPeriods periods;

    CostPerToken(JdbcTemplate jdbc, BillingPeriods periods) {
        this.jdbc = jdbc;
        this.periods = periods;
    }

    /** @param department null: all departments (administrators) */
    @Transactional(readOnly = true)
    public Report between(Instant from, Instant to, List<Dimension> groupBy, UUID department) {
        StringBuilder select = new StringBuilder("SELECT ");
        StringBuilder grouping = new StringBuilder();
        for (Dimension dimension : Dimension.values()) {
            if (groupBy.contains(dimension)) {
                select.append(dimension.column).append(", ");
                grouping.append(grouping.isEmpty() ? " GROUP BY " : ", ").append(dimension.column);
            } else {
                select.append("NULL, ");
            }
        }
        List<Object> parameters = new ArrayList<>(List.of(Timestamp.from(from), Timestamp.from(to)));
        select.append("""
                count(*), COALESCE(sum(prompt_tokens + completion_tokens + embedding_tokens), 0),
                    COALESCE(sum(energy_cost), 0), COALESCE(sum(capacity_cost), 0)
                FROM usage_charge WHERE occurred_at >= ? AND occurred_at < ?""");
        if (department != null) {
            select.append(" AND department_id = ?");
            parameters.add(department);
        }
        select.append(grouping).append(" HAVING count(*) > 0 ORDER BY 1, 2, 3, 4 LIMIT 10000");
        List<Row> rows = jdbc.query(select.toString(), (row, i) -> {
            long tokens = row.getLong(6);
            BigDecimal energy = row.getBigDecimal(7);
            BigDecimal capacity = row.getBigDecimal(8);
            BigDecimal cost = energy.add(capacity);
            BigDecimal perToken = tokens == 0 ? null : cost.divide(BigDecimal.valueOf(tokens), 12, RoundingMode.HALF_EVEN);
            return new Row(row.getString(1), row.getObject(2, UUID.class), row.getObject(3, UUID.class),
                    row.getString(4), row.getLong(5), tokens, energy, capacity, cost, perToken,
                    perToken == null ? null : perToken.movePointRight(6).setScale(6, RoundingMode.HALF_EVEN));
        }, parameters.toArray());
        return new Report(from, to, periods.currency(), groupBy, rows);
    }
}
