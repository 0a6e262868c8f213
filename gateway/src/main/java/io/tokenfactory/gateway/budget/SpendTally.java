package io.tokenfactory.gateway.budget;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import io.tokenfactory.gateway.GatewayProperties;
import io.tokenfactory.support.lifecycle.PeriodicTask;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Keeps what this gateway settled against each budget in its database: the amounts
 * settled are added up in memory and written every few seconds (and at a graceful stop);
 * a gateway starting raises the store to what its database holds for this month, so a
 * restart with the in-memory store, or a Redis that lost its data, does not forget a
 * month's spend. A SIGKILL loses what was settled since the last write; for departments,
 * billing's own figure is the floor anyway.
 */
@Component
class SpendTally extends PeriodicTask {

    private static final Logger log = LoggerFactory.getLogger(SpendTally.class);

    private final Map<String, Long> unwritten = new ConcurrentHashMap<>();

    private final JdbcTemplate jdbc;

    private final MoneyStore store;

    private final BudgetBook book;

    private final Clock clock;

    SpendTally(JdbcTemplate jdbc, MoneyStore store, BudgetBook book, GatewayProperties properties, Clock clock) {
        super("budget-tally", properties.budgets().tallyFlushInterval());
        this.jdbc = jdbc;
        this.store = store;
        this.book = book;
        this.clock = clock;
    }

    void add(List<String> budgets, long nanos) {
        if (nanos > 0) {
            budgets.forEach(budget -> unwritten.merge(budget, nanos, Long::sum));
        }
    }

    @Override
    protected void beforeFirstRun() {
        String period = book.terms().period(clock.instant()).toString();
        try {
            jdbc.query("SELECT scope, subject_id, spent FROM budget_tally WHERE period = ?",
                    (java.sql.ResultSet row) -> {
                        store
                            .raiseSpent(BudgetKeys.of(row.getString(1), row.getObject(2, UUID.class), period),
                                    Money.nanos(row.getBigDecimal(3)))
                            .block(Duration.ofSeconds(5));
                    }, period);
        }
        catch (RuntimeException e) {
            log.warn("Could not raise the budgets' spend to this gateway's tally: {}", e.getMessage());
        }
    }

    @Override
    protected void runOnce() {
        List<Object[]> rows = new ArrayList<>();
        List<Map.Entry<String, Long>> taken = new ArrayList<>();
        for (String budget : List.copyOf(unwritten.keySet())) {
            Long nanos = unwritten.remove(budget);
            if (nanos != null) {
                taken.add(Map.entry(budget, nanos));
                BudgetKeys.Parsed parsed = BudgetKeys.parse(budget);
                rows.add(new Object[] { parsed.scope(), parsed.subject(), parsed.period(), Money.amount(nanos),
                        Timestamp.from(clock.instant()) });
            }
        }
        if (rows.isEmpty()) {
            return;
        }
        try {
            jdbc.batchUpdate("""
                    INSERT INTO budget_tally (scope, subject_id, period, spent, updated_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (scope, subject_id, period) DO UPDATE
                        SET spent = budget_tally.spent + EXCLUDED.spent, updated_at = EXCLUDED.updated_at""", rows);
        }
        catch (RuntimeException e) {
            // kept for the next write
            taken.forEach(entry -> unwritten.merge(entry.getKey(), entry.getValue(), Long::sum));
            log.warn("Could not write the budgets' tally; will try again: {}", e.getMessage());
        }
    }

    @Override
    public synchronized void stop() {
        super.stop();
        runOnce();
    }

    /** The amount in memory not yet written, for tests. */
    BigDecimal unwrittenTotal() {
        return Money.amount(unwritten.values().stream().mapToLong(Long::longValue).sum());
    }

}
