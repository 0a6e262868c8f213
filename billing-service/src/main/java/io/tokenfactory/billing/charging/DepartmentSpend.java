package io.tokenfactory.billing.charging;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.List;
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
 * from the run-rate so far (charge / elapsed share of the period). Amounts are rounded to
 * the currency's minor unit.
 */
@Service
public class DepartmentSpend {

    public record Report(UUID departmentId, String period, String currency, BigDecimal charge, BigDecimal cost,
            BigDecimal monthlyBudget, Integer softAlertPercent, boolean hardCap, BudgetState state,
            BigDecimal forecast) {
    }

    private final JdbcTemplate jdbc;

    private final DepartmentCatalog departments;

    private final BillingPeriods periods;

    private final Clock clock;

    DepartmentSpend(JdbcTemplate jdbc, DepartmentCatalog departments, BillingPeriods periods, Clock clock) {
        this.jdbc = jdbc;
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
        return new Report(department, period.toString(), periods.currency(), periods.round(charge), periods.round(cost),
                policy.map(BudgetPolicy::monthlyBudget).orElse(null),
                policy.map(BudgetPolicy::softAlertPercent).orElse(null),
                policy.map(BudgetPolicy::hardCap).orElse(false), state, periods.round(forecast(charge, period)));
    }

    /**
     * The charge so far extrapolated over the whole period; a closed period's forecast is
     * its charge.
     */
    BigDecimal forecast(BigDecimal charge, YearMonth period) {
        Instant start = periods.start(period);
        Instant end = periods.end(period);
        Instant now = clock.instant();
        if (!now.isBefore(end)) {
            return charge;
        }
        long elapsed = Duration.between(start, now).toSeconds();
        if (elapsed <= 0) {
            return BigDecimal.ZERO;
        }
        return charge.multiply(BigDecimal.valueOf(Duration.between(start, end).toSeconds()))
            .divide(BigDecimal.valueOf(elapsed), 12, RoundingMode.HALF_EVEN);
    }

}
