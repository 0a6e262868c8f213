package io.tokenfactory.billing.charging;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import io.tokenfactory.billing.department.BudgetPolicy;
import io.tokenfactory.billing.department.DepartmentCatalog;
import io.tokenfactory.contracts.BudgetState;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * A department's spend in a period beside its budget, with a forecast to the period's end
 * and a band around it: from the department's weekday-hour pattern over the last 4 weeks
 * where it has a week of history or more, from the run-rate so far (charge / elapsed
 * share of the period) where it has less (see {@link SpendForecast}). Amounts are rounded
 * to the currency's minor unit.
 */
@Service
public class DepartmentSpend {

    public record Report(UUID departmentId, String period, String currency, BigDecimal charge, BigDecimal cost,
            BigDecimal monthlyBudget, Integer softAlertPercent, boolean hardCap, BudgetState state, BigDecimal forecast,
            BigDecimal forecastLow, BigDecimal forecastHigh, String forecastMethod) {
    }

    private final JdbcTemplate jdbc;

    private final HourlyCharges history;

    private final DepartmentCatalog departments;

    private final BillingPeriods periods;

    private final Clock clock;

    DepartmentSpend(JdbcTemplate jdbc, HourlyCharges history, DepartmentCatalog departments, BillingPeriods periods,
            Clock clock) {
        this.jdbc = jdbc;
        this.history = history;
        this.departments = departments;
        this.periods = periods;
        this.clock = clock;
    }

    @Transactional(readOnly = true)
    public Report of(UUID department, YearMonth period) {
        Optional<BudgetPolicy> policy = departments.policy(department);
        List<Object[]> rows = jdbc.query(
                "SELECT charge, cost, budget_state FROM department_spend WHERE department_id = ? AND period = ?",
                (row, i) -> new Object[] { row.getBigDecimal(1), row.getBigDecimal(2), row.getString(3) }, department,
                period.toString());
        BigDecimal charge = rows.isEmpty() ? BigDecimal.ZERO : (BigDecimal) rows.get(0)[0];
        BigDecimal cost = rows.isEmpty() ? BigDecimal.ZERO : (BigDecimal) rows.get(0)[1];
        BudgetState state = rows.isEmpty() ? BudgetState.OK : BudgetState.valueOf((String) rows.get(0)[2]);
        SpendForecast.Forecast forecast = forecast(department, charge, period);
        return new Report(department, period.toString(), periods.currency(), periods.round(charge), periods.round(cost),
                policy.map(BudgetPolicy::monthlyBudget).orElse(null),
                policy.map(BudgetPolicy::softAlertPercent).orElse(null),
                policy.map(BudgetPolicy::hardCap).orElse(false), state, periods.round(forecast.forecast()),
                periods.round(forecast.low()), periods.round(forecast.high()), forecast.method());
    }

    /**
     * The forecast of a month under way from the department's hourly history; a month
     * that ended keeps its charge, one not begun has none (and reads no history).
     */
    private SpendForecast.Forecast forecast(UUID department, BigDecimal charge, YearMonth period) {
        Instant start = periods.start(period);
        Instant end = periods.end(period);
        Instant now = clock.instant();
        ZoneId zone = periods.zone();
        HourlyCharges.History past = !now.isBefore(start) && now.isBefore(end)
                ? history.of(department, SpendForecast.historyStart(now, zone), SpendForecast.currentHour(now, zone))
                : new HourlyCharges.History(now, Map.of());
        return SpendForecast.of(past.hourly(), past.since(), charge, now, start, end, zone);
    }

}
