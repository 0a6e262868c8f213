package io.tokenfactory.metering.reconciliation;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.UUID;

import io.tokenfactory.metering.reconciliation.Reconciliation.Counts;
import io.tokenfactory.metering.reconciliation.Reconciliation.Tokens;

import org.junit.jupiter.api.Test;

/**
 * Served, metered and billed agree when their counts are equal and their joules within a
 * micro-joule.
 */
class ReconciliationRulesTests {

    private static final UUID RESEARCH = UUID.randomUUID();

    @Test
    void aDifferenceIsOneSideLessTheOtherWithJoulesToTheMicrojoule() {
        Counts difference = Counts.difference(counts(10, 100, 50, "1.0000004"), counts(8, 90, 50, "1"));

        assertThat(difference).isEqualTo(new Counts(2, 10, 0, new BigDecimal("0.000000")));
        assertThat(Counts.difference(counts(1, 1, 1, "1.0000015"), counts(1, 1, 1, "1")).energyJoules())
            .isEqualTo(new BigDecimal("0.000002"));
    }

    @Test
    void aSideThatDidNotAnswerHasNoDifferenceAndIsNeverBalanced() {
        assertThat(Counts.difference(null, counts(1, 1, 1, "1"))).isNull();
        assertThat(Counts.difference(counts(1, 1, 1, "1"), null)).isNull();
        assertThat(Counts.isZero(null)).isFalse();
    }

    @Test
    void countsAreZeroWhenEveryCountIsAndTheJoulesAreWithinAMicrojoule() {
        assertThat(Counts.isZero(counts(0, 0, 0, "0.0000009"))).isTrue();
        assertThat(Counts.isZero(counts(0, 0, 0, "-0.0000009"))).isTrue();
        assertThat(Counts.isZero(counts(0, 0, 0, "0.000001"))).isFalse();
        assertThat(Counts.isZero(counts(0, 0, 1, "0"))).isFalse();
        assertThat(Counts.isZero(counts(-1, 0, 0, "0"))).isFalse();
    }

    @Test
    void clientsReceivedWhatWasServedWhenEveryCompletionTokenAgreesAndNoPromptTokenIsExtra() {
        Tokens served = new Tokens(10, 20);

        assertThat(Tokens.agree(new Tokens(10, 20), served)).isTrue();
        // a stream without a usage: its prompt never reached the gateway
        assertThat(Tokens.agree(new Tokens(0, 20), served)).isTrue();
        assertThat(Tokens.agree(new Tokens(11, 20), served)).isFalse();
        assertThat(Tokens.agree(new Tokens(10, 19), served)).isFalse();
        assertThat(Tokens.agree(new Tokens(10, 21), served)).isFalse();
        assertThat(Tokens.agree(null, served)).isFalse();
        assertThat(Tokens.difference(new Tokens(0, 19), served)).isEqualTo(new Tokens(-10, -1));
        assertThat(Tokens.difference(served, null)).isNull();
    }

    @Test
    void countsAddUp() {
        assertThat(counts(1, 2, 3, "0.5").plus(counts(10, 20, 30, "1.25"))).isEqualTo(counts(11, 22, 33, "1.75"));
        assertThat(Counts.NONE.plus(Counts.NONE)).isEqualTo(Counts.NONE);
    }

    @Test
    void aRowIsBalancedWhenMeteredAndBilledBothEqualServed() {
        Counts served = counts(3, 30, 60, "1.5");

        assertThat(Reconciliation.Row.of(RESEARCH, "llama", served, served, served).balanced()).isTrue();
        assertThat(Reconciliation.Row.of(RESEARCH, "llama", served, counts(2, 30, 60, "1.5"), served).balanced())
            .isFalse();
        assertThat(Reconciliation.Row.of(RESEARCH, "llama", served, served, counts(3, 30, 60, "1.6")).balanced())
            .isFalse();
        // billing or inference did not answer
        assertThat(Reconciliation.Row.of(RESEARCH, "llama", served, served, null).balanced()).isFalse();
        assertThat(Reconciliation.Row.of(RESEARCH, "llama", null, served, served).balanced()).isFalse();
    }

    @Test
    void anIdleRowIsBalancedWhenBillingChargedTheJoulesMeteringAllocated() {
        assertThat(Reconciliation.IdleRow.of(RESEARCH, new BigDecimal("5.0000005"), new BigDecimal("5")).balanced())
            .isTrue();
        assertThat(Reconciliation.IdleRow.of(RESEARCH, new BigDecimal("5"), new BigDecimal("4.999999")).balanced())
            .isFalse();
        assertThat(Reconciliation.IdleRow.of(RESEARCH, new BigDecimal("5"), null)).satisfies(row -> {
            assertThat(row.billedJoules()).isNull();
            assertThat(row.balanced()).isFalse();
        });
    }

    private static Counts counts(long requests, long prompt, long completion, String joules) {
        return new Counts(requests, prompt, completion, new BigDecimal(joules));
    }

}
