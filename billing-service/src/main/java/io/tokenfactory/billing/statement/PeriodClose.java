package io.tokenfactory.billing.statement;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.tokenfactory.billing.BillingProperties;
import io.tokenfactory.billing.charging.BillingPeriods;
import io.tokenfactory.support.audit.AuditTrail;
import io.tokenfactory.support.problem.ApiProblemException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Closes a billing month into one immutable statement per department, in one transaction:
 * the month's row is locked exclusively (charges in flight finish first; later ones go to
 * the next month as adjustments); the lines are the month's {@code charge_rollup} rows,
 * kept with every charge — per model, agent and energy source for usage, the idle share
 * per energy source, per month of service, model, agent and source for adjustments — and
 * each statement's totals are the half-even rounded sums of its lines. The department's
 * billing mode and, where billing lists them, its top end users are kept with it. The
 * close is published as {@link PeriodClosed} in the same transaction.
 */
@Service
public class PeriodClose {

    private static final Logger log = LoggerFactory.getLogger(PeriodClose.class);

    public record Closed(String period, int statements, BigDecimal totalCharge, Instant closedAt) {
    }

    private record Total(UUID department, BigDecimal charge, BigDecimal cost, BigDecimal emissions) {
    }

    private final JdbcTemplate jdbc;

    private final BillingPeriods periods;

    private final ApplicationEventPublisher events;

    private final Clock clock;

    private final AuditTrail audit;

    private final int topUsers;

    PeriodClose(JdbcTemplate jdbc, BillingPeriods periods, ApplicationEventPublisher events, Clock clock,
            AuditTrail audit, BillingProperties properties) {
        this.topUsers = properties.statements().topUsers();
        this.jdbc = jdbc;
        this.periods = periods;
        this.events = events;
        this.clock = clock;
        this.audit = audit;
    }

    @Transactional
    public Closed close(YearMonth period) {
        Instant now = clock.instant();
        if (periods.end(period).isAfter(now)) {
            throw ApiProblemException.unprocessable("period_not_over",
                    period + " has not ended yet in the billing time zone");
        }
        String month = period.toString();
        jdbc.update("INSERT INTO billing_period (period) VALUES (?) ON CONFLICT (period) DO NOTHING", month);
        String status = jdbc.queryForObject("SELECT status FROM billing_period WHERE period = ? FOR UPDATE",
                String.class, month);
        if ("CLOSED".equals(status)) {
            throw ApiProblemException.conflict("period_closed",
                    period + " is already closed; its statements never change");
        }
        // the lines are the month's charge rollup, kept with every charge: no pass over
        // the charges themselves
        List<Total> totals = jdbc.query("""
                SELECT department_id, sum(charge), sum(cost), sum(emissions_grams) FROM charge_rollup WHERE period = ?
                GROUP BY department_id ORDER BY department_id""", (row, i) -> new Total(row.getObject(1, UUID.class),
                row.getBigDecimal(2), row.getBigDecimal(3), row.getBigDecimal(4)), month);
        BigDecimal grandTotal = BigDecimal.ZERO;
        List<PeriodClosed.ClosedStatement> closed = new ArrayList<>();
        for (Total total : totals) {
            BigDecimal charge = periods.round(total.charge());
            grandTotal = grandTotal.add(charge);
            UUID statementId = UUID.randomUUID();
            closed.add(new PeriodClosed.ClosedStatement(statementId, total.department(), charge));
            jdbc.update("""
                    INSERT INTO statement (id, department_id, period, currency, cost_centre_code, department_name,
                        monthly_budget, total_charge, total_cost, closed_at, billing_mode, total_emissions_grams)
                    SELECT ?, ?, ?, ?, d.cost_centre_code, d.name, d.monthly_budget, ?, ?, ?,
                        coalesce(d.billing_mode, 'CHARGEBACK'), ?
                    FROM (SELECT 1) one LEFT JOIN department d ON d.id = ?""", statementId, total.department(), month,
                    periods.currency(), charge, periods.round(total.cost()), Timestamp.from(now),
                    // none rather than 0 g where no carbon intensity covered its usage
                    total.emissions().signum() == 0 ? null : total.emissions(), total.department());
        }
        jdbc.update("""
                INSERT INTO statement_line (statement_id, line_no, kind, service_period, model, agent_id, energy_source,
                    requests, prompt_tokens, completion_tokens, embedding_tokens, direct_kwh, idle_kwh, overhead_kwh,
                    cost, charge, emissions_grams)
                SELECT s.id, row_number() OVER (PARTITION BY s.id ORDER BY l.kind DESC, l.service_period, l.model,
                        l.agent_id NULLS FIRST, l.energy_source),
                    l.kind, l.service_period, l.model, l.agent_id, l.energy_source, l.requests, l.prompt_tokens,
                    l.completion_tokens,
                    l.embedding_tokens, round(l.direct_joules / 3600000, 12), round(l.idle_joules / 3600000, 12),
                    round(l.overhead_joules / 3600000, 12), l.cost, l.charge, l.emissions_grams
                FROM charge_rollup l JOIN statement s ON s.department_id = l.department_id AND s.period = l.period
                WHERE l.period = ?""", month);
        // usage subtotals per team and project, for departments that tag their keys or
        // agents (idle capacity is the department's, not split)
        jdbc.update("""
                INSERT INTO statement_team (statement_id, line_no, team, project, requests, tokens, charge,
                    emissions_grams)
                SELECT s.id, row_number() OVER (PARTITION BY s.id ORDER BY u.team NULLS LAST, u.project NULLS LAST),
                    u.team, u.project, u.requests, u.tokens, u.charge, u.emissions
                FROM (SELECT department_id, team, project, count(*) AS requests,
                        sum(prompt_tokens + completion_tokens + embedding_tokens) AS tokens, sum(charge) AS charge,
                        sum(emissions_grams) AS emissions
                      FROM usage_charge WHERE period = ? GROUP BY department_id, team, project) u
                JOIN statement s ON s.department_id = u.department_id AND s.period = ?
                WHERE EXISTS (SELECT 1 FROM usage_charge t WHERE t.department_id = u.department_id AND t.period = ?
                    AND (t.team IS NOT NULL OR t.project IS NOT NULL))""", month, month, month);
        if (topUsers > 0) {
            // the month's heaviest end users by charge, only where billing is set to list
            // them
            jdbc.update("""
                    INSERT INTO statement_user (statement_id, rank, end_user, requests, tokens, charge)
                    SELECT s.id, u.rank, u.end_user, u.requests, u.tokens, u.charge
                    FROM (SELECT department_id, end_user, count(*) AS requests,
                            sum(prompt_tokens + completion_tokens + embedding_tokens) AS tokens, sum(charge) AS charge,
                            row_number() OVER (PARTITION BY department_id
                                ORDER BY sum(charge) DESC, count(*) DESC, end_user) AS rank
                          FROM usage_charge WHERE period = ? AND end_user IS NOT NULL
                          GROUP BY department_id, end_user) u
                    JOIN statement s ON s.department_id = u.department_id AND s.period = ?
                    WHERE u.rank <= ?""", month, month, topUsers);
        }
        jdbc.update("UPDATE billing_period SET status = 'CLOSED', closed_at = ? WHERE period = ?", Timestamp.from(now),
                month);
        events.publishEvent(new PeriodClosed(month, now, periods.currency(), grandTotal, List.copyOf(closed)));
        log.info("Closed {}: {} statements, {} {} charged", month, totals.size(), grandTotal, periods.currency());
        Closed result = new Closed(month, totals.size(), grandTotal, now);
        // by an administrator, or by billing itself a few days into the next month
        audit.record("period.closed", "period", month, null, null, result);
        return result;
    }

}
