package io.tokenfactory.billing.charging;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.util.Optional;
import java.util.UUID;

import io.tokenfactory.billing.department.BudgetPolicy;
import io.tokenfactory.billing.department.DepartmentCatalog;
import io.tokenfactory.billing.department.DepartmentPolicyChanged;
import io.tokenfactory.contracts.BudgetState;
import io.tokenfactory.contracts.BudgetStatusChanged;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Each department's spend in each billing period, and its budget state. Whenever spend
 * moves, the state is worked out again (EXCEEDED at the budget, WARNING at the soft
 * threshold, OK below); for the current month, a state different from the one last
 * announced is published as {@code budget-status-changed} in the same transaction, so
 * each crossing is announced exactly once. The first spend of a month, after a month that
 * ended in WARNING or EXCEEDED, announces OK. Late charges of an earlier month update its
 * state without announcing it.
 */
@Component
class SpendLedger {

    record Spend(BigDecimal charge, BigDecimal cost, BudgetState state) {
    }

    private final JdbcTemplate jdbc;

    private final DepartmentCatalog departments;

    private final BillingPeriods periods;

    private final ApplicationEventPublisher events;

    private final Clock clock;

    SpendLedger(JdbcTemplate jdbc, DepartmentCatalog departments, BillingPeriods periods,
            ApplicationEventPublisher events, Clock clock) {
        this.jdbc = jdbc;
        this.departments = departments;
        this.periods = periods;
        this.events = events;
        this.clock = clock;
    }

    @Transactional(propagation = Propagation.MANDATORY)
    void add(UUID department, YearMonth period, BigDecimal charge, BigDecimal cost) {
        record(department, period, charge, cost, false);
    }

    /**
     * A changed budget, threshold or hard cap is announced at once, as the current
     * month's state with the new terms.
     */
    @EventListener
    @Transactional(propagation = Propagation.MANDATORY)
    void onPolicyChanged(DepartmentPolicyChanged changed) {
        record(changed.departmentId(), periods.currentPeriod(), BigDecimal.ZERO, BigDecimal.ZERO, true);
    }

    private void record(UUID department, YearMonth period, BigDecimal charge, BigDecimal cost, boolean policyChanged) {
        Instant now = clock.instant();
        boolean opened = openPeriod(department, period, now);
        Spend spend = jdbc.queryForObject("""
                UPDATE department_spend SET charge = charge + ?, cost = cost + ?, updated_at = ?,
                    first_charge_at = COALESCE(first_charge_at, ?)
                WHERE department_id = ? AND period = ?
                RETURNING charge, cost, budget_state""",
                (row, i) -> new Spend(row.getBigDecimal(1), row.getBigDecimal(2),
                        BudgetState.valueOf(row.getString(3))),
                charge, cost, Timestamp.from(now), Timestamp.from(now), department, period.toString());
        // the budget as committed now, not as this transaction may have cached it
        Optional<BudgetPolicy> policy = departments.currentPolicy(department);
        BudgetState state = stateOf(spend.charge(), policy);
        if (state != spend.state()) {
            jdbc.update("UPDATE department_spend SET budget_state = ? WHERE department_id = ? AND period = ?",
                    state.name(), department, period.toString());
        }
        // what the gateway last heard: this month's state, or for a month just opened,
        // how the one before ended
        BudgetState lastAnnounced = opened ? previousState(department, period) : spend.state();
        // only the current month is announced (the gateway acts on the latest report
        // whatever its month), and only
        // its final state, once
        if (period.equals(periods.currentPeriod()) && (state != lastAnnounced || policyChanged)) {
            announce(department, period, spend.charge(), policy, state, now);
        }
    }

    /**
     * Opens a period with state OK (the row is locked for this transaction); true when
     * this call opened it.
     */
    private boolean openPeriod(UUID department, YearMonth period, Instant now) {
        return jdbc.update("""
                INSERT INTO department_spend (department_id, period, updated_at) VALUES (?, ?, ?)
                ON CONFLICT (department_id, period) DO NOTHING""", department, period.toString(),
                Timestamp.from(now)) == 1;
    }

    private BudgetState previousState(UUID department, YearMonth period) {
        return jdbc
            .query("""
                    SELECT budget_state FROM department_spend WHERE department_id = ? AND period < ?
                    ORDER BY period DESC LIMIT 1""", (row, i) -> BudgetState.valueOf(row.getString(1)), department,
                    period.toString())
            .stream()
            .findFirst()
            .orElse(BudgetState.OK);
    }

    static BudgetState stateOf(BigDecimal spent, Optional<BudgetPolicy> policy) {
        if (policy.isEmpty() || policy.get().monthlyBudget() == null) {
            return BudgetState.OK;
        }
        BigDecimal budget = policy.get().monthlyBudget();
        if (spent.compareTo(budget) >= 0) {
            return BudgetState.EXCEEDED;
        }
        BigDecimal warnAt = budget.multiply(BigDecimal.valueOf(policy.get().softAlertPercent())).movePointLeft(2);
        return spent.compareTo(warnAt) >= 0 ? BudgetState.WARNING : BudgetState.OK;
    }

    private void announce(UUID department, YearMonth period, BigDecimal spent, Optional<BudgetPolicy> policy,
            BudgetState state, Instant now) {
        BigDecimal limit = policy.map(BudgetPolicy::monthlyBudget).orElse(null);
        events.publishEvent(
                new BudgetStatusChanged(UUID.randomUUID(), now, department, period.toString(), periods.round(spent),
                        limit, periods.currency(), state, policy.map(BudgetPolicy::hardCap).orElse(false)));
    }

}
