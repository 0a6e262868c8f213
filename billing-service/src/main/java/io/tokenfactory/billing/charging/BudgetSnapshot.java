package io.tokenfactory.billing.charging;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.YearMonth;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tokenfactory.billing.department.BudgetPolicy;
import io.tokenfactory.billing.department.DepartmentCatalog;
import io.tokenfactory.billing.department.PricingMode;
import io.tokenfactory.billing.pricing.PriceBook;
import io.tokenfactory.billing.pricing.Prices;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * What the gateway needs to hold budgets at the door, read in one transaction: every
 * department's budget and spend in the current month (unrounded, as charged), and the
 * token prices in force now. The gateway reads it at start and every few seconds; its own
 * tally of what it admitted since covers the time billing is away.
 */
@Service
public class BudgetSnapshot {

    /**
     * @param spent the month's charge so far, unrounded
     * @param pricingMode how the department is charged: at the list price, or cost plus
     * margin (then the gateway's reservation at the list price is an estimate)
     */
    public record DepartmentBudget(UUID departmentId, BigDecimal monthlyBudget, boolean hardCap, int softAlertPercent,
            BigDecimal spent, PricingMode pricingMode, BigDecimal marginPercent) {
    }

    /**
     * @param embedding whether the model's input tokens are charged as embedding tokens
     */
    public record ModelPrice(String model, boolean embedding, BigDecimal promptPerMillion,
            BigDecimal completionPerMillion, BigDecimal embeddingPerMillion) {
    }

    /**
     * @param timeZone the billing time zone months are cut in
     */
    public record Snapshot(Instant asOf, String period, String timeZone, String currency,
            List<DepartmentBudget> departments, List<ModelPrice> prices) {
    }

    private final JdbcTemplate jdbc;

    private final DepartmentCatalog departments;

    private final PriceBook priceBook;

    private final BillingPeriods periods;

    BudgetSnapshot(JdbcTemplate jdbc, DepartmentCatalog departments, PriceBook priceBook, BillingPeriods periods) {
        this.jdbc = jdbc;
        this.departments = departments;
        this.priceBook = priceBook;
        this.periods = periods;
    }

    @Transactional(readOnly = true)
    public Snapshot now() {
        Instant now = periods.now();
        YearMonth period = periods.periodOf(now);
        Map<UUID, BigDecimal> spent = new HashMap<>();
        jdbc.query("SELECT department_id, charge FROM department_spend WHERE period = ?",
                (RowCallbackHandler) row -> spent.put(row.getObject(1, UUID.class), row.getBigDecimal(2)),
                period.toString());
        List<DepartmentBudget> budgets = departments.list().stream().map(department -> {
            BudgetPolicy policy = department.policy() == null ? BudgetPolicy.NONE : department.policy();
            return new DepartmentBudget(department.id(), policy.monthlyBudget(), policy.hardCap(),
                    policy.softAlertPercent(), spent.getOrDefault(department.id(), BigDecimal.ZERO),
                    policy.pricingMode(), policy.marginPercent());
        }).toList();
        Prices prices = priceBook.snapshot();
        List<ModelPrice> modelPrices = priceBook.models()
            .stream()
            .flatMap(model -> prices.rateCardAt(model.name(), now)
                .map(card -> new ModelPrice(model.name(), model.task() == PriceBook.Task.EMBEDDING,
                        card.promptPerMillion(), card.completionPerMillion(), card.embeddingPerMillion()))
                .stream())
            .toList();
        return new Snapshot(now, period.toString(), periods.zone().getId(), periods.currency(), budgets, modelPrices);
    }

}
