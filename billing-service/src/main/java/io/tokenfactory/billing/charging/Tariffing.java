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

/** The prices and the pricing mode that apply to one department's usage, read once per event. */
@Component
class Tariffing {

    /** What a department pays: its list prices, or its cost plus its margin. */
    record Terms(Prices prices, Optional<BudgetPolicy> policy) {

        BigDecimal charge(BigDecimal listPrice, BigDecimal cost) {
            return policy.map(BudgetPolicy::pricingMode).orElse(PricingMode.LIST_PRICE) == PricingMode.COST_PLUS
                    ? Prices.costPlus(cost, policy.get().marginPercent()) : listPrice;
        }
    }

    private final PriceBook priceBook;
    private final DepartmentCatalog departments;

    Tariffing(PriceBook priceBook, DepartmentCatalog departments) {
        this.priceBook = priceBook;
        this.departments = departments;
    }

    Terms termsFor(UUID department) {
        return new Terms(priceBook.snapshot(), departments.policy(department));
    }
}
