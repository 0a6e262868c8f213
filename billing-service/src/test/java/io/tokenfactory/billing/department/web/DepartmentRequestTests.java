package io.tokenfactory.billing.department.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;

import io.tokenfactory.billing.department.BillingMode;
import io.tokenfactory.billing.department.BudgetPolicy;
import io.tokenfactory.billing.department.PricingMode;
import io.tokenfactory.billing.department.web.DepartmentController.DepartmentRequest;

import org.junit.jupiter.api.Test;

/** A PUT replaces every field: budget fields left out return to their defaults. */
class DepartmentRequestTests {

    @Test
    void budgetFieldsLeftOutMeanNoBudgetAWarningAtEightyPercentNoHardCapAndListPrices() {
        BudgetPolicy policy = new DepartmentRequest("Research", "RES-1", null, null, null, null, null, null).policy();

        assertThat(policy).isEqualTo(new BudgetPolicy(null, 80, false, PricingMode.LIST_PRICE, BigDecimal.ZERO));
        assertThat(policy).isEqualTo(BudgetPolicy.NONE);
    }

    @Test
    void budgetFieldsGivenAreKept() {
        BudgetPolicy policy = new DepartmentRequest("Research", "RES-1", new BigDecimal("1500.50"), 75, true,
                PricingMode.COST_PLUS, new BigDecimal("12.5"), BillingMode.SHOWBACK)
            .policy();

        assertThat(policy).isEqualTo(new BudgetPolicy(new BigDecimal("1500.50"), 75, true, PricingMode.COST_PLUS,
                new BigDecimal("12.5"), BillingMode.SHOWBACK));
    }

    @Test
    void onlyAnExplicitTrueSetsTheHardCap() {
        assertThat(new DepartmentRequest("R", "R", null, null, false, null, null, null).policy().hardCap()).isFalse();
        assertThat(new DepartmentRequest("R", "R", null, null, true, null, null, null).policy().hardCap()).isTrue();
    }

}
