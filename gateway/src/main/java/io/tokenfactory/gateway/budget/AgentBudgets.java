package io.tokenfactory.gateway.budget;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.UUID;

import io.tokenfactory.support.audit.Actor;
import io.tokenfactory.support.audit.AuditTrail;
import io.tokenfactory.support.problem.ApiProblemException;

import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Agents' monthly budgets, over all of an agent's keys; set by an administrator. */
@Service
public class AgentBudgets {

    private final JdbcTemplate jdbc;

    private final BudgetBook book;

    private final Clock clock;

    private final AuditTrail audit;

    AgentBudgets(JdbcTemplate jdbc, BudgetBook book, Clock clock, AuditTrail audit) {
        this.jdbc = jdbc;
        this.book = book;
        this.clock = clock;
        this.audit = audit;
    }

    @Transactional
    public void set(UUID agentId, UUID departmentId, BigDecimal monthlyBudget, Actor actor) {
        AgentBudget before = find(agentId);
        jdbc.update("""
                INSERT INTO agent_budget (agent_id, department_id, monthly_budget, updated_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (agent_id) DO UPDATE SET department_id = EXCLUDED.department_id,
                    monthly_budget = EXCLUDED.monthly_budget, updated_at = EXCLUDED.updated_at""", agentId,
                departmentId, monthlyBudget, Timestamp.from(clock.instant()));
        audit.record(actor, "agent-budget.set", "agent", agentId, departmentId, before,
                new AgentBudget(departmentId, monthlyBudget));
        book.reloadAfterCommit();
    }

    @Transactional
    public void remove(UUID agentId, Actor actor) {
        AgentBudget before = find(agentId);
        if (before == null || jdbc.update("DELETE FROM agent_budget WHERE agent_id = ?", agentId) == 0) {
            throw ApiProblemException.notFound("agent_budget_not_found", "Agent " + agentId + " has no budget");
        }
        audit.record(actor, "agent-budget.removed", "agent", agentId, before.departmentId(), before, null);
        book.reloadAfterCommit();
    }

    private @Nullable AgentBudget find(UUID agentId) {
        return jdbc
            .query("SELECT department_id, monthly_budget FROM agent_budget WHERE agent_id = ? FOR UPDATE",
                    (row, index) -> new AgentBudget(row.getObject("department_id", UUID.class),
                            row.getBigDecimal("monthly_budget")),
                    agentId)
            .stream()
            .findFirst()
            .orElse(null);
    }

    /** An agent's budget as the audit trail records it. */
    record AgentBudget(UUID departmentId, BigDecimal monthlyBudget) {
    }

}
