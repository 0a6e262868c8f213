package io.tokenfactory.billing.statement;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.util.List;
import java.util.UUID;

import io.tokenfactory.billing.charging.BillingPeriods;
import io.tokenfactory.support.problem.ApiProblemException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Closes a billing month into one immutable statement per department, in one transaction: the month's row is
 * locked exclusively (charges in flight finish first; later ones go to the next month as adjustments), every
 * charge billed in the month is summed once into lines — per model and agent for usage, per month of service for
 * adjustments, one line for the idle share — and each statement's totals are the half-even rounded sums of its
 * lines.
 */
@Service
public class PeriodClose {

    private static final Logger log = LoggerFactory.getLogger(PeriodClose.class);

    public record Closed(String period, int statements, BigDecimal totalCharge, Instant closedAt) {
    }

    private record Total(UUID department, BigDecimal charge, BigDecimal cost) {
    }

    private final JdbcTemplate jdbc;
    private final BillingPeriods periods;
    private final Clock clock;

    PeriodClose(JdbcTemplate jdbc, BillingPeriods periods, Clock clock) {
        this.jdbc = jdbc;
        this.periods = periods;
        this.clock = clock;
    }

    @Transactional
    public Closed close(YearMonth period) {
        Instant now = clock.instant();
        if (periods.end(period).isAfter(now)) {
            throw ApiProblemException.unprocessable("period_not_over", period + " has not ended yet in the billing time zone");
        }
        String month = period.toString();
        jdbc.update("INSERT INTO billing_period (period) VALUES (?) ON CONFLICT (period) DO NOTHING", month);
        String status = jdbc.queryForObject("SELECT status FROM billing_period WHERE period = ? FOR UPDATE", String.class,
                month);
        if ("CLOSED".equals(status)) {
            throw ApiProblemException.conflict("period_closed", period + " is already closed; its statements never change");
        }
        // one pass over the month's charges into lines; everything after reads these few rows
        jdbc.execute("DROP TABLE IF EXISTS closing_line");
        jdbc.update("""
                CREATE TEMP TABLE closing_line ON COMMIT DROP AS
                SELECT department_id, CASE WHEN service_period = period THEN 'USAGE' ELSE 'ADJUSTMENT' END AS kind,
                    service_period, model, agent_id, count(*) AS requests, sum(prompt_tokens) AS prompt_tokens,
                    sum(completion_tokens) AS completion_tokens, sum(embedding_tokens) AS embedding_tokens,
                    sum(direct_joules) AS direct_joules, 0::numeric AS idle_joules, sum(overhead_joules) AS overhead_joules,
                    sum(cost) AS cost, sum(charge) AS charge
                FROM usage_charge WHERE period = ?
                GROUP BY department_id, 2, service_period, model, agent_id
                UNION ALL
                SELECT department_id, CASE WHEN service_period = period THEN 'IDLE' ELSE 'ADJUSTMENT' END,
                    service_period, NULL, NULL, 0, 0, 0, 0, 0, sum(idle_joules), sum(overhead_joules), sum(cost), sum(charge)
                FROM idle_charge_entry WHERE period = ?
                GROUP BY department_id, 2, service_period""", month, month);
        List<Total> totals = jdbc.query("""
                SELECT department_id, sum(charge), sum(cost) FROM closing_line GROUP BY department_id ORDER BY department_id""",
                (row, i) -> new Total(row.getObject(1, UUID.class), row.getBigDecimal(2), row.getBigDecimal(3)));
        BigDecimal grandTotal = BigDecimal.ZERO;
        for (Total total : totals) {
            BigDecimal charge = periods.round(total.charge());
            grandTotal = grandTotal.add(charge);
            jdbc.update("""
                    INSERT INTO statement (id, department_id, period, currency, cost_centre_code, department_name,
                        monthly_budget, total_charge, total_cost, closed_at)
                    SELECT ?, ?, ?, ?, d.cost_centre_code, d.name, d.monthly_budget, ?, ?, ?
                    FROM (SELECT 1) one LEFT JOIN department d ON d.id = ?""",
                    UUID.randomUUID(), total.department(), month, periods.currency(), charge,
                    periods.round(total.cost()), Timestamp.from(now), total.department());
        }
        jdbc.update("""
                INSERT INTO statement_line (statement_id, line_no, kind, service_period, model, agent_id, requests,
                    prompt_tokens, completion_tokens, embedding_tokens, direct_kwh, idle_kwh, overhead_kwh, cost, charge)
                SELECT s.id, row_number() OVER (PARTITION BY s.id ORDER BY l.kind DESC, l.service_period, l.model,
                        l.agent_id NULLS FIRST),
                    l.kind, l.service_period, l.model, l.agent_id, l.requests, l.prompt_tokens, l.completion_tokens,
                    l.embedding_tokens, round(l.direct_joules / 3600000, 12), round(l.idle_joules / 3600000, 12),
                    round(l.overhead_joules / 3600000, 12), l.cost, l.charge
                FROM closing_line l JOIN statement s ON s.department_id = l.department_id AND s.period = ?""", month);
        jdbc.update("UPDATE billing_period SET status = 'CLOSED', closed_at = ? WHERE period = ?", Timestamp.from(now),
                month);
        log.info("Closed {}: {} statements, {} {} charged", month, totals.size(), grandTotal, periods.currency());
        return new Closed(month, totals.size(), grandTotal, now);
    }
}
