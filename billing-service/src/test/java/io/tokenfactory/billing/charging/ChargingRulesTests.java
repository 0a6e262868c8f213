package io.tokenfactory.billing.charging;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.YearMonth;
import java.util.UUID;

import org.junit.jupiter.api.Test;

/**
 * Small rules of charging: what may be stored, how rollup rows are kinded, which month a
 * charge may be billed in.
 */
class ChargingRulesTests {

    private static final UUID DEPARTMENT = UUID.randomUUID();

    @Test
    void timesMustLieFrom1970UpToButNotIncluding9999() {
        assertThat(Limits.plausibleTime(Instant.EPOCH)).isTrue();
        assertThat(Limits.plausibleTime(Instant.parse("1969-12-31T23:59:59.999Z"))).isFalse();
        assertThat(Limits.plausibleTime(Instant.parse("9998-12-31T23:59:59.999Z"))).isTrue();
        assertThat(Limits.plausibleTime(Instant.parse("9999-01-01T00:00:00Z"))).isFalse();
    }

    @Test
    void joulesMustBeNonNegativeAndAtMostAnExajoule() {
        assertThat(Limits.plausibleJoules(BigDecimal.ZERO)).isTrue();
        assertThat(Limits.plausibleJoules(new BigDecimal("1E18"))).isTrue();
        assertThat(Limits.plausibleJoules(new BigDecimal("1000000000000000000.000000001"))).isFalse();
        assertThat(Limits.plausibleJoules(new BigDecimal("-0.000000001"))).isFalse();
    }

    @Test
    void acceleratorSecondsMustBeFiniteNonNegativeAndAtMostATrillion() {
        assertThat(Limits.plausibleSeconds(0)).isTrue();
        assertThat(Limits.plausibleSeconds(1e12)).isTrue();
        assertThat(Limits.plausibleSeconds(Math.nextUp(1e12))).isFalse();
        assertThat(Limits.plausibleSeconds(-0.001)).isFalse();
        assertThat(Limits.plausibleSeconds(Double.NaN)).isFalse();
        assertThat(Limits.plausibleSeconds(Double.POSITIVE_INFINITY)).isFalse();
    }

    @Test
    void aChargeBilledInItsOwnMonthIsUsageOrIdleAndInAnyOtherAnAdjustment() {
        YearMonth march = YearMonth.of(2026, 3);
        YearMonth april = YearMonth.of(2026, 4);

        assertThat(key(march, march, false).kind()).isEqualTo(ChargeRollup.Kind.USAGE);
        assertThat(key(march, march, true).kind()).isEqualTo(ChargeRollup.Kind.IDLE);
        assertThat(key(april, march, false).kind()).isEqualTo(ChargeRollup.Kind.ADJUSTMENT);
        assertThat(key(april, march, true).kind()).isEqualTo(ChargeRollup.Kind.ADJUSTMENT);
        assertThat(key(april, march, true))
            .isEqualTo(new ChargeRollup.Key(DEPARTMENT, april, march, ChargeRollup.Kind.ADJUSTMENT, "m", null, "RAPL"));
    }

    @Test
    void aChargeIsBilledInItsMonthOfUseWhileNoLaterMonthIsClosed() {
        YearMonth march = YearMonth.of(2026, 3);

        assertThat(OpenPeriods.firstCandidate(march, null)).isEqualTo(march);
        assertThat(OpenPeriods.firstCandidate(march, YearMonth.of(2026, 2))).isEqualTo(march);
    }

    @Test
    void aChargeForTheLatestClosedMonthOrAnyBeforeItGoesToTheMonthAfterIt() {
        assertThat(OpenPeriods.firstCandidate(YearMonth.of(2026, 3), YearMonth.of(2026, 3)))
            .isEqualTo(YearMonth.of(2026, 4));
        // a month before the latest closed one counts as closed even if it never had a
        // row of its own
        assertThat(OpenPeriods.firstCandidate(YearMonth.of(2025, 11), YearMonth.of(2026, 3)))
            .isEqualTo(YearMonth.of(2026, 4));
        assertThat(OpenPeriods.firstCandidate(YearMonth.of(2026, 12), YearMonth.of(2026, 12)))
            .isEqualTo(YearMonth.of(2027, 1));
    }

    private static ChargeRollup.Key key(YearMonth billed, YearMonth used, boolean idle) {
        return ChargeRollup.Key.of(DEPARTMENT, billed, used, idle, "m", null, "RAPL");
    }

}
