package io.tokenfactory.billing.charging;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.YearMonth;
import java.util.List;
import java.util.UUID;

import io.tokenfactory.support.lifecycle.PeriodicTask;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * When a new billing month starts, a department whose last month ended in WARNING or
 * EXCEEDED is announced OK again — also when it has no usage yet in the new month (the
 * gateway would otherwise keep blocking it).
 */
@Component
class PeriodRollover extends PeriodicTask {

    private static final Logger log = LoggerFactory.getLogger(PeriodRollover.class);

    private final JdbcTemplate jdbc;

    private final SpendLedger ledger;

    private final BillingPeriods periods;

    private final TransactionTemplate transactions;

    PeriodRollover(JdbcTemplate jdbc, SpendLedger ledger, BillingPeriods periods, TransactionTemplate transactions) {
        super("period-rollover", Duration.ofMinutes(5));
        this.jdbc = jdbc;
        this.ledger = ledger;
        this.periods = periods;
        this.transactions = transactions;
    }

    @Override
    protected void runOnce() {
        try {
            rollOver();
        }
        catch (RuntimeException e) {
            log.warn("Opening the new billing period failed; will try again: {}", e.getMessage());
        }
    }

    /**
     * Opens the current period (spend 0, OK announced) for every department still blocked
     * from an earlier one.
     */
    void rollOver() {
        YearMonth current = periods.currentPeriod();
        List<UUID> blocked = jdbc.queryForList("""
                SELECT department_id FROM (
                    SELECT DISTINCT ON (department_id) department_id, budget_state FROM department_spend
                    WHERE period < ? ORDER BY department_id, period DESC) latest
                WHERE budget_state <> 'OK' AND NOT EXISTS (SELECT 1 FROM department_spend c
                    WHERE c.department_id = latest.department_id AND c.period = ?)""", UUID.class, current.toString(),
                current.toString());
        for (UUID department : blocked) {
            transactions
                .executeWithoutResult(status -> ledger.add(department, current, BigDecimal.ZERO, BigDecimal.ZERO));
        }
    }

}
