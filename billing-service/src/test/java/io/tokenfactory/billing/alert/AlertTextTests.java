package io.tokenfactory.billing.alert;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import io.tokenfactory.billing.statement.PeriodClosed;
import io.tokenfactory.contracts.AgentStateChanged;
import io.tokenfactory.contracts.BudgetState;
import io.tokenfactory.contracts.BudgetStatusChanged;

import org.junit.jupiter.api.Test;

/** What people read in their channel when a budget, an agent or a month moves. */
class AlertTextTests {

    private static final UUID DEPARTMENT = UUID.fromString("0b7e3f5c-8d1e-4a57-9e0c-2f8d1b6a4c33");

    private static final Instant NOW = Instant.parse("2026-11-20T10:15:30Z");

    @Test
    void aWarningSaysHowMuchOfTheBudgetIsSpent() {
        Alert alert = AlertText.budget(report("8.12", "10", BudgetState.WARNING, false), BudgetState.OK, "Research");

        assertThat(alert.kind()).isEqualTo("BUDGET_WARNING");
        assertThat(alert.text()).isEqualTo(
                "Research has spent 8.12 EUR of its 10.00 EUR budget for 2026-11 (81 %): past its warning threshold.");
        assertThat(alert.data()).containsEntry("previousState", "OK")
            .containsEntry("state", "WARNING")
            .containsEntry("limit", new BigDecimal("10"));
    }

    @Test
    void anExceededHardCapSaysRequestsAreRefused() {
        assertThat(AlertText.budget(report("10.02", "10", BudgetState.EXCEEDED, true), BudgetState.WARNING, "Research")
            .text())
            .isEqualTo("Research has spent 10.02 EUR of its 10.00 EUR budget for 2026-11 (100 %): budget "
                    + "exceeded; its inference requests are refused until the budget is raised or the month ends.");
        assertThat(AlertText.budget(report("12.50", "10", BudgetState.EXCEEDED, false), BudgetState.WARNING, "Legal")
            .text()).endsWith("(125 %): budget exceeded (no hard cap: requests go on).");
    }

    @Test
    void backToOkSaysWithinBudgetOrThatThereIsNoneAnyMore() {
        assertThat(
                AlertText.budget(report("2.00", "100", BudgetState.OK, true), BudgetState.EXCEEDED, "Research").text())
            .isEqualTo("Research is within its budget for 2026-11 again: 2.00 EUR of 100.00 EUR spent.");
        assertThat(
                AlertText.budget(report("2.00", null, BudgetState.OK, false), BudgetState.WARNING, "Research").text())
            .isEqualTo("Research has no budget limit for 2026-11 any more (2.00 EUR spent).");
    }

    @Test
    void amountsKeepTheCurrencysMinorUnitAndEveryDigitOfABudget() {
        assertThat(AlertText.money(new BigDecimal("0.012"), "EUR")).isEqualTo("0.012 EUR");
        assertThat(AlertText.money(new BigDecimal("5"), "EUR")).isEqualTo("5.00 EUR");
        assertThat(AlertText.money(new BigDecimal("1500"), "JPY")).isEqualTo("1500 JPY");
    }

    @Test
    void anAgentPausedForItsBudgetAndAClosedMonthAreSentences() {
        UUID agent = UUID.fromString("5d2c0a1e-0000-4000-8000-000000000001");
        Alert paused = AlertText.agentPaused(
                new AgentStateChanged(UUID.randomUUID(), NOW, agent, DEPARTMENT, "ACTIVE", "PAUSED", "budget"),
                "Research");
        assertThat(paused.kind()).isEqualTo("AGENT_PAUSED_BY_BUDGET");
        assertThat(paused.text()).startsWith("Agent 5d2c0a1e of Research was paused because its department's budget");

        UUID statement = UUID.randomUUID();
        PeriodClosed closed = new PeriodClosed("2026-10", NOW, "EUR", new BigDecimal("1234.50"),
                List.of(new PeriodClosed.ClosedStatement(statement, DEPARTMENT, new BigDecimal("1234.50"))));
        Alert own = AlertText.statementClosed(closed, closed.statements().get(0), "Research");
        assertThat(own.text()).isEqualTo("Research's statement for 2026-10 is closed: 1234.50 EUR charged.");
        assertThat(own.eventId()).isEqualTo(statement);
        assertThat(AlertText.monthClosed(closed).text())
            .isEqualTo("2026-10 is closed: 1 statement, 1234.50 EUR charged in all.");
        assertThat(AlertText.monthClosed(closed).eventId()).isEqualTo(AlertText.monthClosed(closed).eventId());
    }

    private static BudgetStatusChanged report(String spent, String limit, BudgetState state, boolean hardCap) {
        return new BudgetStatusChanged(UUID.randomUUID(), NOW, DEPARTMENT, "2026-11", new BigDecimal(spent),
                limit == null ? null : new BigDecimal(limit), "EUR", state, hardCap);
    }

}
