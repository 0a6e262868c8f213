package io.tokenfactory.billing.alert;

import java.sql.Timestamp;
import java.util.UUID;

import io.tokenfactory.billing.department.DepartmentCatalog;
import io.tokenfactory.billing.department.DepartmentView;
import io.tokenfactory.billing.statement.PeriodClosed;
import io.tokenfactory.contracts.AgentStateChanged;
import io.tokenfactory.contracts.BudgetState;
import io.tokenfactory.contracts.BudgetStatusChanged;
import io.tokenfactory.contracts.EventTypes;
import io.tokenfactory.support.events.ProcessedEvents;

import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Turns events into alerts for the subscriptions that want them, each in the transaction
 * of its event: a budget crossing as charging announces it, a closed month as the close
 * commits it, an agent paused for its budget as agent-service reports it (consumed once).
 */
@Service
public class AlertRaising {

    /** agent-service's words for a pause because of the budget. */
    static final String PAUSED = "PAUSED";

    static final String BUDGET_REASON = "budget";

    private final AlertOutbox outbox;

    private final DepartmentCatalog departments;

    private final JdbcTemplate jdbc;

    private final ProcessedEvents processed;

    AlertRaising(AlertOutbox outbox, DepartmentCatalog departments, JdbcTemplate jdbc) {
        this.outbox = outbox;
        this.departments = departments;
        this.jdbc = jdbc;
        this.processed = new ProcessedEvents(jdbc);
    }

    /**
     * A budget report, in the transaction that decided it. A report that repeats the
     * state last alerted (a changed budget announces the current state again) alerts
     * nobody.
     */
    @EventListener
    @Transactional(propagation = Propagation.MANDATORY)
    void onBudgetStatusChanged(BudgetStatusChanged report) {
        BudgetState previous = jdbc
            .query("SELECT state FROM webhook_budget_state WHERE department_id = ? FOR UPDATE",
                    (row, i) -> BudgetState.valueOf(row.getString(1)), report.departmentId())
            .stream()
            .findFirst()
            .orElse(BudgetState.OK);
        if (previous == report.state()) {
            return;
        }
        jdbc.update("""
                INSERT INTO webhook_budget_state (department_id, state, changed_at) VALUES (?, ?, ?)
                ON CONFLICT (department_id) DO UPDATE SET state = EXCLUDED.state, changed_at = EXCLUDED.changed_at""",
                report.departmentId(), report.state().name(), Timestamp.from(report.occurredAt()));
        Alert alert = AlertText.budget(report, previous, nameOf(report.departmentId()));
        outbox.toDepartment(report.departmentId(), alert);
        outbox.toAdministrators(alert);
    }

    /**
     * A closed month: each department hears of its own statement, administrators of the
     * month.
     */
    @EventListener
    @Transactional(propagation = Propagation.MANDATORY)
    void onPeriodClosed(PeriodClosed closed) {
        for (PeriodClosed.ClosedStatement statement : closed.statements()) {
            outbox.toDepartment(statement.departmentId(),
                    AlertText.statementClosed(closed, statement, nameOf(statement.departmentId())));
        }
        outbox.toAdministrators(AlertText.monthClosed(closed));
    }

    /**
     * An agent's state change from agent-service; only a pause for the budget alerts. A
     * redelivered event changes nothing.
     */
    @Transactional
    public void onAgentStateChanged(AgentStateChanged changed) {
        if (!PAUSED.equals(changed.to()) || !BUDGET_REASON.equalsIgnoreCase(changed.reason())) {
            return;
        }
        if (!processed.markFirstDelivery(changed.eventId(), EventTypes.AGENT_STATE_CHANGED)) {
            return;
        }
        Alert alert = AlertText.agentPaused(changed, nameOf(changed.departmentId()));
        outbox.toDepartment(changed.departmentId(), alert);
        outbox.toAdministrators(alert);
    }

    /** The department's name, or its id for one billing does not know. */
    private String nameOf(UUID department) {
        return departments.lookup(department).map(DepartmentView::name).orElse(department.toString());
    }

}
