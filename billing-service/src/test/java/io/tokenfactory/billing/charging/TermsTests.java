package io.tokenfactory.billing.charging;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.Optional;

import io.tokenfactory.billing.department.BudgetPolicy;
import io.tokenfactory.billing.department.PricingMode;

import org.junit.jupiter.api.Test;

/**
 * A department pays list prices unless its policy says cost plus, then its cost and its
 * margin.
 */
class TermsTests {

    private static final BigDecimal LIST_PRICE = new BigDecimal("3.00");

    private static final BigDecimal COST = new BigDecimal("2.00");

    @Test
    void aDepartmentBillingDoesNotKnowPaysListPrices() {
        Tariffing.Terms terms = new Tariffing.Terms(null, Optional.empty());

        assertThat(terms.costPlus()).isFalse();
        assertThat(terms.charge(LIST_PRICE, COST)).isEqualTo(LIST_PRICE);
    }

    @Test
    void aListPriceDepartmentPaysListPricesWhateverItsMargin() {
        Tariffing.Terms terms = terms(PricingMode.LIST_PRICE, "50");

        assertThat(terms.costPlus()).isFalse();
        assertThat(terms.charge(LIST_PRICE, COST)).isEqualTo(LIST_PRICE);
    }

    @Test
    void aCostPlusDepartmentPaysItsCostAndItsMargin() {
        Tariffing.Terms terms = terms(PricingMode.COST_PLUS, "50");

        assertThat(terms.costPlus()).isTrue();
        assertThat(terms.charge(LIST_PRICE, COST)).isEqualByComparingTo("3.00");
        assertThat(terms(PricingMode.COST_PLUS, "0").charge(LIST_PRICE, COST)).isEqualByComparingTo("2.00");
        assertThat(terms.charge(LIST_PRICE, BigDecimal.ZERO)).isZero();
    }

    private static Tariffing.Terms terms(PricingMode mode, String margin) {
        return new Tariffing.Terms(null, Optional.of(new BudgetPolicy(null, 80, false, mode, new BigDecimal(margin))));
    }

}
