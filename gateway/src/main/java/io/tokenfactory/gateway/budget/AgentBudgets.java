package io.tokenfactory.gateway.budget;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.UUID;

import io.tokenfactory.support.problem.ApiProblemException;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Agents' monthly budgets, over all of an agent's keys; set by an administrator. */
@Service
public class AgentBudgets {

    private final JdbcTemplate jdbc;

    private final BudgetBook book;

    private final Clock clock;

    AgentBudgets(JdbcTemplate jdbc, BudgetBook book, Clock clock) {
        this.jdbc = jdbc;
        this.book = book;
        this.clock = clock;
    }

    @Transactional
    public void set(UUID agentId, UUID departmentId, BigDecimal monthlyBudget) {
        jdbc.update("""
                INSERT INTO agent_budget (agent_id, department_id, monthly_budget, updated_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (agent_id) DO UPDATE SET department_id = EXCLUDED.department_id,
                    monthly_budget = EXCLUDED.monthly_budget, updated_at = EXCLUDED.updated_at""", agentId,
                departmentId, monthlyBudget, Timestamp.from(clock.instant()));
        book.reloadAfterCommit();
    }

    @Transactional
    public void remove(UUID agentId) {
        if (jdbc.update("DELETE FROM agent_budget WHERE agent_id = ?", agentId) == 0) {
            throw ApiProblemException.notFound("agent_budget_not_found", "Agent " + agentId + " has no budget");
        }
        book.reloadAfterCommit();
    }

}
