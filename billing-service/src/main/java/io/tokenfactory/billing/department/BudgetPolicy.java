package io.tokenfactory.billing.department;

import java.math.BigDecimal;

/**
 * What a department may spend and how it is charged.
 *
 * @param monthlyBudget the charge allowed per billing month; null: no budget
 * @param softAlertPercent the share of the budget at which the department is warned
 * @param hardCap whether the gateway refuses the department's requests once the budget is
 * spent
 * @param marginPercent for cost-plus pricing: charge = cost × (1 + margin / 100)
 * @param billingMode whether its statements are payable (chargeback) or for information
 * only (showback); budgets apply either way
 */
public record BudgetPolicy(BigDecimal monthlyBudget, int softAlertPercent, boolean hardCap, PricingMode pricingMode,
        BigDecimal marginPercent, BillingMode billingMode) {

    public static final BudgetPolicy NONE = new BudgetPolicy(null, 80, false, PricingMode.LIST_PRICE, BigDecimal.ZERO);

    public BudgetPolicy {
        billingMode = billingMode == null ? BillingMode.CHARGEBACK : billingMode;
    }

    /** A chargeback department's policy. */
    public BudgetPolicy(BigDecimal monthlyBudget, int softAlertPercent, boolean hardCap, PricingMode pricingMode,
            BigDecimal marginPercent) {
        this(monthlyBudget, softAlertPercent, hardCap, pricingMode, marginPercent, BillingMode.CHARGEBACK);
    }

}
