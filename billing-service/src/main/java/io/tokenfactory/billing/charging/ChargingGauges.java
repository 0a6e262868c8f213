package io.tokenfactory.billing.charging;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.tokenfactory.billing.charging.CostPerToken.Dimension;
import io.tokenfactory.support.lifecycle.PeriodicTask;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Money for dashboards and alerts, in the billing currency, refreshed every minute from
 * the books (a scrape never waits for the database): each department's charge so far this
 * month and its monthly budget ({@code tokenfactory_billing_department_spend},
 * {@code _budget}, tags {@code department} and {@code name}), and cost per million tokens
 * by model over the last hour, direct and fully loaded
 * ({@code tokenfactory_billing_cost_per_million_tokens}, tag {@code basis}). The books
 * stay exact; a gauge is a double for plotting only.
 */
@Component
class ChargingGauges extends PeriodicTask {

    private static final Logger log = LoggerFactory.getLogger(ChargingGauges.class);

    private static final Duration COST_WINDOW = Duration.ofHours(1);

    private final JdbcTemplate jdbc;

    private final BillingPeriods periods;

    private final CostPerToken costPerToken;

    private final MultiGauge spend;

    private final MultiGauge budget;

    private final MultiGauge costPerMillion;

    ChargingGauges(JdbcTemplate jdbc, BillingPeriods periods, CostPerToken costPerToken, MeterRegistry meters) {
        super("charging-gauges", Duration.ofMinutes(1));
        this.jdbc = jdbc;
        this.periods = periods;
        this.costPerToken = costPerToken;
        String currency = periods.currency();
        this.spend = MultiGauge.builder("tokenfactory.billing.department.spend")
            .description("each department's charge so far this month, in " + currency)
            .register(meters);
        this.budget = MultiGauge.builder("tokenfactory.billing.department.budget")
            .description("each department's monthly budget, in " + currency)
            .register(meters);
        this.costPerMillion = MultiGauge.builder("tokenfactory.billing.cost.per.million.tokens")
            .description("cost of a million tokens by model over the last hour, in " + currency
                    + " (basis direct: energy and capacity of the requests; fully_loaded: with the idle share)")
            .register(meters);
    }

    @Override
    protected void beforeFirstRun() {
        runOnce();
    }

    @Override
    protected void runOnce() {
        try {
            refresh();
        }
        catch (RuntimeException e) {
            log.warn("Refreshing the billing gauges failed; will try again: {}", e.getMessage());
        }
    }

    void refresh() {
        List<MultiGauge.Row<?>> spent = new ArrayList<>();
        List<MultiGauge.Row<?>> budgets = new ArrayList<>();
        jdbc.query("""
                SELECT d.id, d.name, d.monthly_budget, coalesce(s.charge, 0) FROM department d
                LEFT JOIN department_spend s ON s.department_id = d.id AND s.period = ?""", row -> {
            Tags tags = Tags.of("department", row.getString(1), "name", row.getString(2));
            spent.add(MultiGauge.Row.of(tags, row.getBigDecimal(4).doubleValue()));
            BigDecimal monthly = row.getBigDecimal(3);
            if (monthly != null) {
                budgets.add(MultiGauge.Row.of(tags, monthly.doubleValue()));
            }
        }, periods.currentPeriod().toString());
        spend.register(spent, true);
        budget.register(budgets, true);

        Instant now = periods.now();
        List<MultiGauge.Row<?>> costs = new ArrayList<>();
        for (CostPerToken.Row row : costPerToken.between(now.minus(COST_WINDOW), now, List.of(Dimension.MODEL), null)
            .rows()) {
            if (row.costPerMillionTokens() != null) {
                costs.add(MultiGauge.Row.of(Tags.of("model", row.model(), "basis", "direct"),
                        row.costPerMillionTokens().doubleValue()));
            }
            if (row.fullyLoadedCostPerMillionTokens() != null) {
                costs.add(MultiGauge.Row.of(Tags.of("model", row.model(), "basis", "fully_loaded"),
                        row.fullyLoadedCostPerMillionTokens().doubleValue()));
            }
        }
        costPerMillion.register(costs, true);
    }

}
