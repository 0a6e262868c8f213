package io.tokenfactory.billing.charging;

import java.math.BigDecimal;
import java.util.List;
import java.util.UUID;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * What one agent run used and costs, from its priced usage: how agent-service shows a
 * run's joules and cost.
 */
@Service
public class AgentRunCharges {

    /**
     * @param departmentId null while nothing of the run has been charged yet
     * @param joules direct energy plus the facility overhead on it
     */
    public record RunCharges(UUID agentRunId, UUID departmentId, long requests, long promptTokens,
            long completionTokens, BigDecimal directJoules, BigDecimal overheadJoules, BigDecimal joules,
            BigDecimal cost, BigDecimal charge, String currency) {
    }

    private final JdbcTemplate jdbc;

    private final BillingPeriods periods;

    AgentRunCharges(JdbcTemplate jdbc, BillingPeriods periods) {
        this.jdbc = jdbc;
        this.periods = periods;
    }

    @Transactional(readOnly = true)
    public RunCharges of(UUID agentRunId) {
        List<RunCharges> found = jdbc.query(
                """
                        SELECT min(department_id::text)::uuid, count(*), COALESCE(sum(prompt_tokens), 0),
                            COALESCE(sum(completion_tokens), 0), COALESCE(sum(direct_joules), 0), COALESCE(sum(overhead_joules), 0),
                            COALESCE(sum(cost), 0), COALESCE(sum(charge), 0)
                        FROM usage_charge WHERE agent_run_id = ?""",
                (row, i) -> new RunCharges(agentRunId, row.getObject(1, UUID.class), row.getLong(2), row.getLong(3),
                        row.getLong(4), row.getBigDecimal(5), row.getBigDecimal(6),
                        row.getBigDecimal(5).add(row.getBigDecimal(6)), row.getBigDecimal(7), row.getBigDecimal(8),
                        periods.currency()),
                agentRunId);
        return found.get(0);
    }

}
