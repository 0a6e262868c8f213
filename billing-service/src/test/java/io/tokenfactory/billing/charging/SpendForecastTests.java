package io.tokenfactory.billing.charging;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

/**
 * The forecast extrapolates the charge so far over the whole month; a month that is over
 * keeps its charge.
 */
class SpendForecastTests {

    private static final YearMonth NOVEMBER = YearMonth.of(2026, 11);

    @Test
    void halfwayThroughTheMonthTheForecastIsTwiceTheChargeSoFar() {
        assertThat(forecastAt("2026-11-16T00:00:00Z", "UTC", "10.00", NOVEMBER)).isEqualByComparingTo("20");
    }

    @Test
    void keepsTwelveDecimalsRoundedHalfEven() {
        // a third of November (10 of 30 days) has passed: 1 × 3
        assertThat(forecastAt("2026-11-11T00:00:00Z", "UTC", "1", NOVEMBER))
            .isEqualTo(new BigDecimal("3.000000000000"));
        // 7 days of 30: 1 × 30 / 7 = 4.285714285714 285…
        assertThat(forecastAt("2026-11-08T00:00:00Z", "UTC", "1", NOVEMBER))
            .isEqualTo(new BigDecimal("4.285714285714"));
    }

    @Test
    void aMonthThatIsOverIsForecastAtItsCharge() {
        assertThat(forecastAt("2026-12-01T00:00:00Z", "UTC", "12.34", NOVEMBER)).isEqualTo(new BigDecimal("12.34"));
        assertThat(forecastAt("2027-03-01T00:00:00Z", "UTC", "12.34", NOVEMBER)).isEqualTo(new BigDecimal("12.34"));
    }

    @Test
    void nothingIsForecastAtTheFirstInstantOfAMonthOrForAMonthNotBegun() {
        assertThat(forecastAt("2026-11-01T00:00:00Z", "UTC", "5", NOVEMBER)).isEqualTo(BigDecimal.ZERO);
        assertThat(forecastAt("2026-10-15T00:00:00Z", "UTC", "5", NOVEMBER)).isEqualTo(BigDecimal.ZERO);
    }

    @Test
    void theMonthIsMeasuredInTheBillingTimeZone() {
        // in Berlin November starts at 2026-10-31T23:00Z; 15 of 30 days later it is
        // 2026-11-15T23:00Z
        assertThat(forecastAt("2026-11-15T23:00:00Z", "Europe/Berlin", "10", NOVEMBER)).isEqualByComparingTo("20");
        // and it ends there at 2026-11-30T23:00Z, an hour before it ends in UTC
        assertThat(forecastAt("2026-11-30T23:00:00Z", "Europe/Berlin", "10", NOVEMBER)).isEqualTo(new BigDecimal("10"));
    }

    private static BigDecimal forecastAt(String now, String zone, String charge, YearMonth period) {
        Clock clock = Clock.fixed(Instant.parse(now), ZoneOffset.UTC);
        DepartmentSpend spend = new DepartmentSpend(null, null, BillingPeriodsTests.periods("EUR", zone, clock), clock);
        return spend.forecast(new BigDecimal(charge), period);
    }

}
