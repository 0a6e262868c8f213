package io.tokenfactory.billing.charging;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

/**
 * Months are calendar months in the billing time zone; money is rounded half-even to the
 * currency's minor unit.
 */
class BillingPeriodsTests {

    private final BillingPeriods berlin = periods("EUR", "Europe/Berlin", Clock.systemUTC());

    @Test
    void theLastMillisecondOfAMonthInTheBillingTimeZoneBelongsToThatMonth() {
        // 31 October 2026, 23:59:59.999 in Berlin (CET, UTC+1) is 22:59:59.999 UTC
        assertThat(berlin.periodOf(Instant.parse("2026-10-31T22:59:59.999Z"))).isEqualTo(YearMonth.of(2026, 10));
        assertThat(berlin.periodOf(Instant.parse("2026-10-31T23:00:00Z"))).isEqualTo(YearMonth.of(2026, 11));
        assertThat(berlin.start(YearMonth.of(2026, 11))).isEqualTo(Instant.parse("2026-10-31T23:00:00Z"));
        // summer time: 31 July 2026, 23:59:59.999 CEST is 21:59:59.999 UTC
        assertThat(berlin.periodOf(Instant.parse("2026-07-31T21:59:59.999Z"))).isEqualTo(YearMonth.of(2026, 7));
    }

    @Test
    void aMonthEndsWhereTheNextStartsEvenWhenTheClocksChangeWithinIt() {
        // March 2026 starts in winter time (UTC+1) and ends in summer time (UTC+2): 743
        // hours, not 744
        assertThat(berlin.start(YearMonth.of(2026, 3))).isEqualTo(Instant.parse("2026-02-28T23:00:00Z"));
        assertThat(berlin.end(YearMonth.of(2026, 3))).isEqualTo(Instant.parse("2026-03-31T22:00:00Z"));
        assertThat(berlin.end(YearMonth.of(2026, 12))).isEqualTo(berlin.start(YearMonth.of(2027, 1)));
        assertThat(berlin.end(YearMonth.of(2028, 2))).isEqualTo(Instant.parse("2028-02-29T23:00:00Z"));
    }

    @Test
    void theCurrentPeriodIsTheMonthOfTheClockInTheBillingTimeZone() {
        Clock newYearsEveInUtc = Clock.fixed(Instant.parse("2026-12-31T23:30:00Z"), ZoneOffset.UTC);

        assertThat(periods("EUR", "UTC", newYearsEveInUtc).currentPeriod()).isEqualTo(YearMonth.of(2026, 12));
        assertThat(periods("EUR", "Europe/Berlin", newYearsEveInUtc).currentPeriod()).isEqualTo(YearMonth.of(2027, 1));
    }

    @Test
    void roundsHalfEvenToTheMinorUnit() {
        assertThat(berlin.round(new BigDecimal("0.125"))).isEqualByComparingTo("0.12");
        assertThat(berlin.round(new BigDecimal("0.135"))).isEqualByComparingTo("0.14");
        assertThat(berlin.round(new BigDecimal("2.004999999999"))).isEqualByComparingTo("2.00");
        assertThat(berlin.round(new BigDecimal("-0.125"))).isEqualTo(new BigDecimal("-0.12"));
        assertThat(berlin.round(BigDecimal.ZERO)).isEqualTo(new BigDecimal("0.00"));
    }

    @Test
    void theMinorUnitIsTheCurrencysOwn() {
        BillingPeriods yen = periods("JPY", "Asia/Tokyo", Clock.systemUTC());
        BillingPeriods dinar = periods("BHD", "Asia/Bahrain", Clock.systemUTC());

        assertThat(yen.currency()).isEqualTo("JPY");
        assertThat(yen.round(new BigDecimal("2.5"))).isEqualTo(new BigDecimal("2"));
        assertThat(yen.round(new BigDecimal("3.5"))).isEqualTo(new BigDecimal("4"));
        assertThat(dinar.round(new BigDecimal("1.0005"))).isEqualTo(new BigDecimal("1.000"));
        assertThat(dinar.round(new BigDecimal("1.0015"))).isEqualTo(new BigDecimal("1.002"));
    }

    static BillingPeriods periods(String currency, String zone, Clock clock) {
        return ChargingFixtures.periods(currency, zone, clock);
    }

}
