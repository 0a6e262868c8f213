package io.tokenfactory.billing.charging;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.Optional;

import io.tokenfactory.billing.department.BudgetPolicy;
import io.tokenfactory.billing.department.PricingMode;
import io.tokenfactory.contracts.BudgetState;

import org.junit.jupiter.api.Test;

/**
 * A month's spend against the budget: EXCEEDED at the budget, WARNING from the soft
 * threshold on, OK below.
 */
class BudgetStateTests {

    @Test
    void withoutABudgetAnySpendIsOk() {
        assertThat(SpendLedger.stateOf(new BigDecimal("1E9"), Optional.empty())).isEqualTo(BudgetState.OK);
        assertThat(SpendLedger.stateOf(new BigDecimal("1E9"), Optional.of(BudgetPolicy.NONE)))
            .isEqualTo(BudgetState.OK);
    }

    @Test
    void warnsFromTheSoftThresholdAndIsExceededFromTheBudgetOn() {
        Optional<BudgetPolicy> hundred = budget("100", 80);

        assertThat(SpendLedger.stateOf(BigDecimal.ZERO, hundred)).isEqualTo(BudgetState.OK);
        assertThat(SpendLedger.stateOf(new BigDecimal("79.999999999999"), hundred)).isEqualTo(BudgetState.OK);
        assertThat(SpendLedger.stateOf(new BigDecimal("80"), hundred)).isEqualTo(BudgetState.WARNING);
        assertThat(SpendLedger.stateOf(new BigDecimal("99.999999999999"), hundred)).isEqualTo(BudgetState.WARNING);
        assertThat(SpendLedger.stateOf(new BigDecimal("100"), hundred)).isEqualTo(BudgetState.EXCEEDED);
        assertThat(SpendLedger.stateOf(new BigDecimal("250"), hundred)).isEqualTo(BudgetState.EXCEEDED);
    }

    @Test
    void theThresholdIsExactForBudgetsWithCents() {
        // 80 % of 10.01 is 8.008
        Optional<BudgetPolicy> policy = budget("10.01", 80);

        assertThat(SpendLedger.stateOf(new BigDecimal("8.007"), policy)).isEqualTo(BudgetState.OK);
        assertThat(SpendLedger.stateOf(new BigDecimal("8.008"), policy)).isEqualTo(BudgetState.WARNING);
    }

    @Test
    void aThresholdOfAHundredPercentNeverWarnsBeforeTheBudgetIsSpent() {
        Optional<BudgetPolicy> policy = budget("50", 100);

        assertThat(SpendLedger.stateOf(new BigDecimal("49.99"), policy)).isEqualTo(BudgetState.OK);
        assertThat(SpendLedger.stateOf(new BigDecimal("50"), policy)).isEqualTo(BudgetState.EXCEEDED);
    }

    @Test
    void aZeroBudgetIsExceededBeforeAnythingIsSpent() {
        assertThat(SpendLedger.stateOf(BigDecimal.ZERO, budget("0", 80))).isEqualTo(BudgetState.EXCEEDED);
    }

    @Test
    void aCreditBelowZeroIsOk() {
        assertThat(SpendLedger.stateOf(new BigDecimal("-5"), budget("100", 1))).isEqualTo(BudgetState.OK);
    }

    private static Optional<BudgetPolicy> budget(String monthly, int softAlertPercent) {
        return Optional.of(new BudgetPolicy(new BigDecimal(monthly), softAlertPercent, true, PricingMode.LIST_PRICE,
                BigDecimal.ZERO));
    }

}
