package io.tokenfactory.gateway.budget;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

import io.tokenfactory.contracts.BudgetState;
import io.tokenfactory.contracts.BudgetStatusChanged;

import org.junit.jupiter.api.Test;

/**
 * A department's budget as billing last reported it: reports in any order, and what
 * blocks inference.
 */
class DepartmentBudgetTests {

    static final UUID DEPARTMENT = UUID.randomUUID();

    private static final Instant T0 = Instant.parse("2026-11-05T10:00:00Z");

    @Test
    void onlyAnExceededHardCapBlocksInference() {
        assertThat(budgetAfter(report(T0, BudgetState.EXCEEDED, true)).blocksInference()).isTrue();
        assertThat(budgetAfter(report(T0, BudgetState.EXCEEDED, false)).blocksInference()).isFalse();
        assertThat(budgetAfter(report(T0, BudgetState.WARNING, true)).blocksInference()).isFalse();
        assertThat(budgetAfter(report(T0, BudgetState.OK, true)).blocksInference()).isFalse();
        assertThat(new DepartmentBudget(DEPARTMENT).blocksInference()).isFalse();
    }

    @Test
    void aReportOlderThanTheAppliedOneChangesNothing() {
        DepartmentBudget budget = budgetAfter(report(T0, BudgetState.EXCEEDED, true));

        assertThat(budget.apply(report(T0.minusMillis(1), BudgetState.OK, true))).isFalse();
        assertThat(budget.blocksInference()).isTrue();
    }

    @Test
    void aReportAsNewAsOrNewerThanTheAppliedOneReplacesIt() {
        DepartmentBudget budget = budgetAfter(report(T0, BudgetState.EXCEEDED, true));

        assertThat(budget.apply(report(T0, BudgetState.WARNING, true))).isTrue();
        assertThat(budget.blocksInference()).isFalse();
        assertThat(budget.apply(report(T0.plusSeconds(1), BudgetState.EXCEEDED, true))).isTrue();
        assertThat(budget.blocksInference()).isTrue();
    }

    private static DepartmentBudget budgetAfter(BudgetStatusChanged report) {
        DepartmentBudget budget = new DepartmentBudget(DEPARTMENT);
        assertThat(budget.apply(report)).isTrue();
        return budget;
    }

    static BudgetStatusChanged report(Instant at, BudgetState state, boolean hardCap) {
        return new BudgetStatusChanged(UUID.randomUUID(), at, DEPARTMENT, "2026-11", new BigDecimal("1250.00"),
                new BigDecimal("1000.00"), "EUR", state, hardCap);
    }

}
