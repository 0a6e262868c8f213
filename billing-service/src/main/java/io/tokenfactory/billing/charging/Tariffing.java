package io.tokenfactory.billing.charging;

import java.math.BigDecimal;
import java.util.Optional;
import java.util.UUID;

import io.tokenfactory.billing.department.BudgetPolicy;
import io.tokenfactory.billing.department.DepartmentCatalog;
import io.tokenfactory.billing.department.PricingMode;
import io.tokenfactory.billing.pricing.PriceBook;
import io.tokenfactory.billing.pricing.Prices;

import org.springframework.stereotype.Component;

/**
 * The prices and the pricing mode that apply to one department's usage, read once per
 * event.
 */
@Component
class Tariffing {

    /** What a department pays: its list prices, or its cost plus its margin. */
    record Terms(Prices prices, Optional<BudgetPolicy> policy) {

        boolean costPlus() {
            return policy.map(BudgetPolicy::pricingMode).orElse(PricingMode.LIST_PRICE) == PricingMode.COST_PLUS;
        }

        BigDecimal charge(BigDecimal listPrice, BigDecimal cost) {
            return costPlus() ? Prices.costPlus(cost, policy.get().marginPercent()) : listPrice;
        }
    }

    private final PriceBook priceBook;

    private final DepartmentCatalog departments;

    Tariffing(PriceBook priceBook, DepartmentCatalog departments) {
        this.priceBook = priceBook;
        this.departments = departments;
    }

    /**
     * Holds the price book's shared lock until the charging transaction ends: no price
     * can slip in behind it.
     */
    Terms termsFor(UUID department) {
        priceBook.lockForCharging();
        return new Terms(priceBook.snapshot(), departments.currentPolicy(department));
    }

}
