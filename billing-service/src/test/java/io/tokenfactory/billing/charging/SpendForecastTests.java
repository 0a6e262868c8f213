package io.tokenfactory.billing.charging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiFunction;

import org.junit.jupiter.api.Test;

/**
 * The forecast follows the department's weekly rhythm: each hour of the week at its mean
 * over the last 4 weeks, added over the hours the month has left; the band is as wide as
 * the weeks differ. Worked on a department that works weekdays 09:00 to 17:00, in
 * November 2026 (1 November is a Sunday; 30 days, 720 hours).
 */
class SpendForecastTests {

    private static final YearMonth NOVEMBER = YearMonth.of(2026, 11);

    private static final ZoneId UTC = ZoneId.of("UTC");

    /** Friday 6 November 2026, 17:00: the end of the month's first working week. */
    private static final Instant FIRST_FRIDAY_EVENING = Instant.parse("2026-11-06T17:00:00Z");

    /**
     * After it, 16 working days of 8 hours are left (9–13, 16–20, 23–27 and 30 November).
     */
    private static final BigDecimal WORKING_HOURS_LEFT = new BigDecimal("128");

    @Test
    void fourLikeWeeksForecastExactlyTheWorkingHoursLeftWithABandOfNoWidth() {
        // 40 working hours so far at 1.00
        SpendForecast.Forecast forecast = forecast(
                history(FIRST_FRIDAY_EVENING, UTC, 4, (hour, weeksBack) -> workingHour(hour) ? BigDecimal.ONE : null),
                longAgo(), "40", FIRST_FRIDAY_EVENING, UTC);

        assertThat(forecast.method()).isEqualTo("weekday-hour pattern of 4 weeks");
        assertThat(forecast.forecast()).isEqualByComparingTo(new BigDecimal("40").add(WORKING_HOURS_LEFT));
        assertThat(forecast.low()).isEqualByComparingTo("168");
        assertThat(forecast.high()).isEqualByComparingTo("168");
        // the straight line runs the working week through the weekends: 40 × 720 / 137
        // hours = 210.22, 42.22 too high
        BigDecimal straightLine = SpendForecast.runRate(new BigDecimal("40"), FIRST_FRIDAY_EVENING,
                NOVEMBER.atDay(1).atStartOfDay(UTC).toInstant(),
                NOVEMBER.plusMonths(1).atDay(1).atStartOfDay(UTC).toInstant());
        assertThat(straightLine).isEqualTo(new BigDecimal("210.218978102190"));
        assertThat(straightLine.subtract(forecast.forecast())).isEqualByComparingTo("42.218978102190");
    }

    @Test
    void theCurrentHourCountsWithTheShareOfItStillToCome() {
        // Wednesday 18 November, 12:30: half of 12:00–13:00, then 13:00–17:00 that day,
        // 19–20, 23–27 and 30 November: 0.5 + 4 + 16 + 40 + 8 = 68.5 hours
        Instant halfPastNoon = Instant.parse("2026-11-18T12:30:00Z");
        SpendForecast.Forecast forecast = forecast(
                history(halfPastNoon, UTC, 4, (hour, weeksBack) -> workingHour(hour) ? BigDecimal.ONE : null),
                longAgo(), "99.5", halfPastNoon, UTC);

        assertThat(forecast.forecast()).isEqualTo(new BigDecimal("168.000000000000"));
        assertThat(forecast.low()).isEqualTo(forecast.forecast());
        assertThat(forecast.high()).isEqualTo(forecast.forecast());
    }

    @Test
    void weeksThatDifferGiveTheirMeanAndABandAsWideAsTheyDiffer() {
        // the weeks alternate 2.00 and 0.00 a working hour, the latest at 2.00 (80 so
        // far): they project 256, 0, 256, 0 more, a mean of 128, and a sample standard
        // deviation of 128 × 2 / √3 = 147.80
        SpendForecast.Forecast forecast = forecast(
                history(FIRST_FRIDAY_EVENING, UTC, 4,
                        (hour, weeksBack) -> workingHour(hour)
                                ? (weeksBack % 2 == 0 ? new BigDecimal("2.00") : BigDecimal.ZERO) : null),
                longAgo(), "80", FIRST_FRIDAY_EVENING, UTC);

        assertThat(forecast.method()).isEqualTo("weekday-hour pattern of 4 weeks");
        assertThat(forecast.forecast()).isEqualByComparingTo("208");
        // 208 + 1.645 × 147.80 = 451.13
        BigDecimal margin = new BigDecimal("1.645").multiply(new BigDecimal("256"))
            .divide(new BigDecimal("3").sqrt(MathContext.DECIMAL128), MathContext.DECIMAL128);
        assertThat(forecast.high()).isCloseTo(new BigDecimal("208").add(margin), within(new BigDecimal("1e-12")));
        assertThat(forecast.high()).isCloseTo(new BigDecimal("451.13"), within(new BigDecimal("0.01")));
        // 208 - 243.13 is below what is already spent: the band stops there
        assertThat(forecast.low()).isEqualByComparingTo("80");
    }

    @Test
    void aDepartmentAFortnightOldIsAveragedOverItsTwoWeeksNotOverFour() {
        Instant since = FIRST_FRIDAY_EVENING.minus(Duration.ofDays(16));
        SpendForecast.Forecast forecast = forecast(
                history(FIRST_FRIDAY_EVENING, UTC, 2, (hour, weeksBack) -> workingHour(hour) ? BigDecimal.ONE : null),
                since, "40", FIRST_FRIDAY_EVENING, UTC);

        assertThat(forecast.method()).isEqualTo("weekday-hour pattern of 2 weeks");
        assertThat(forecast.forecast()).isEqualByComparingTo("168");
    }

    @Test
    void withOneWeekTheBandRunsBetweenThePatternAndTheRunRate() {
        Instant since = FIRST_FRIDAY_EVENING.minus(Duration.ofDays(10));
        SpendForecast.Forecast forecast = forecast(
                history(FIRST_FRIDAY_EVENING, UTC, 1, (hour, weeksBack) -> workingHour(hour) ? BigDecimal.ONE : null),
                since, "40", FIRST_FRIDAY_EVENING, UTC);

        assertThat(forecast.method()).isEqualTo("weekday-hour pattern of 1 week");
        assertThat(forecast.forecast()).isEqualByComparingTo("168");
        assertThat(forecast.low()).isEqualByComparingTo("168");
        assertThat(forecast.high()).isEqualTo(new BigDecimal("210.218978102190"));
    }

    @Test
    void withLessThanAWeekOfHistoryTheForecastIsTheRunRateWithoutABand() {
        // charged for 6 days 23 hours: not one whole week
        Instant since = FIRST_FRIDAY_EVENING.minus(Duration.ofHours(167));
        SpendForecast.Forecast forecast = forecast(history(FIRST_FRIDAY_EVENING, UTC, 1,
                (hour, weeksBack) -> workingHour(hour) && !hour.toInstant().isBefore(since) ? BigDecimal.ONE : null),
                since, "40", FIRST_FRIDAY_EVENING, UTC);

        assertThat(forecast.method()).isEqualTo("run-rate");
        assertThat(forecast.forecast()).isEqualTo(new BigDecimal("210.218978102190"));
        assertThat(forecast.low()).isEqualTo(forecast.forecast());
        assertThat(forecast.high()).isEqualTo(forecast.forecast());
        // and a department never charged
        SpendForecast.Forecast never = forecast(Map.of(), FIRST_FRIDAY_EVENING, "0", FIRST_FRIDAY_EVENING, UTC);
        assertThat(never.method()).isEqualTo("run-rate");
        assertThat(never.forecast()).isEqualByComparingTo("0");
        assertThat(never.high()).isEqualByComparingTo("0");
    }

    @Test
    void theRunRateKeepsTwelveDecimalsRoundedHalfEven() {
        // a third of November (10 of 30 days) has passed: 1 × 3
        assertThat(forecast(Map.of(), Instant.parse("2026-11-11T00:00:00Z"), "1", Instant.parse("2026-11-11T00:00:00Z"),
                UTC)
            .forecast()).isEqualTo(new BigDecimal("3.000000000000"));
        // 7 days of 30: 1 × 30 / 7 = 4.285714285714 285…
        assertThat(forecast(Map.of(), Instant.parse("2026-11-08T00:00:00Z"), "1", Instant.parse("2026-11-08T00:00:00Z"),
                UTC)
            .forecast()).isEqualTo(new BigDecimal("4.285714285714"));
    }

    @Test
    void aMonthThatIsOverIsForecastAtItsChargeAndOneNotBegunAtNothing() {
        Map<Instant, BigDecimal> busy = history(Instant.parse("2026-12-01T00:00:00Z"), UTC, 4,
                (hour, weeksBack) -> BigDecimal.TEN);
        assertThat(forecast(busy, longAgo(), "12.34", Instant.parse("2026-12-01T00:00:00Z"), UTC))
            .isEqualTo(new SpendForecast.Forecast(new BigDecimal("12.34"), new BigDecimal("12.34"),
                    new BigDecimal("12.34"), "month ended"));
        assertThat(forecast(busy, longAgo(), "12.34", Instant.parse("2027-03-01T00:00:00Z"), UTC).forecast())
            .isEqualTo(new BigDecimal("12.34"));
        assertThat(forecast(busy, longAgo(), "5", Instant.parse("2026-10-15T00:00:00Z"), UTC)).isEqualTo(
                new SpendForecast.Forecast(BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO, "month not begun"));
    }

    @Test
    void atTheMonthsFirstInstantThePatternForecastsTheWholeMonth() {
        Instant first = Instant.parse("2026-11-01T00:00:00Z");
        SpendForecast.Forecast forecast = forecast(
                history(first, UTC, 4, (hour, weeksBack) -> workingHour(hour) ? BigDecimal.ONE : null), longAgo(), "0",
                first, UTC);

        // 21 working days of 8 hours
        assertThat(forecast.forecast()).isEqualByComparingTo("168");
        // the run-rate has nothing to go on yet
        assertThat(forecast(Map.of(), first, "0", first, UTC).forecast()).isEqualByComparingTo("0");
    }

    /**
     * Without a change of the clocks an hour of the week recurs every 168 hours whatever
     * the zone; the zone decides where an hour starts, which weekday and hour it is, and
     * where the month ends.
     */
    @Test
    void hoursAndWeekdaysAreTheBillingTimeZones() {
        // Monday 00:00 in Berlin is Sunday 23:00 in UTC
        Instant mondayInBerlin = Instant.parse("2027-01-17T23:00:00Z");
        assertThat(SpendForecast.slot(mondayInBerlin, ZoneId.of("Europe/Berlin"))).isZero();
        assertThat(SpendForecast.slot(mondayInBerlin, UTC)).isEqualTo(167);
        // in Kolkata (UTC+05:30) an hour starts at half past in UTC
        assertThat(SpendForecast.currentHour(Instant.parse("2027-01-15T10:10:00Z"), ZoneId.of("Asia/Kolkata")))
            .isEqualTo(Instant.parse("2027-01-15T09:30:00Z"));
    }

    @Test
    void aBerlinDepartmentIsForecastByItsLocalWorkingHoursToTheEndOfTheBerlinMonth() {
        // January 2027 in Berlin: 2026-12-31T23:00Z to 2027-01-31T23:00Z, no change of
        // the
        // clocks in it or in the 4 weeks before. Friday 15 January, 16:30 in Berlin
        // (15:30Z): 87.5 working hours so far (1, 4–8, 11–14 January and 7.5 today); to
        // come half of 16:00–17:00, then 18–22 and 25–29 January: 80.5 hours
        ZoneId berlin = ZoneId.of("Europe/Berlin");
        Instant now = Instant.parse("2027-01-15T15:30:00Z");
        Clock clock = Clock.fixed(now, ZoneOffset.UTC);
        BillingPeriods periods = BillingPeriodsTests.periods("EUR", "Europe/Berlin", clock);
        YearMonth january = YearMonth.of(2027, 1);
        Map<Instant, BigDecimal> hourly = history(now, berlin, 4,
                (hour, weeksBack) -> workingHour(hour) ? BigDecimal.ONE : null);

        SpendForecast.Forecast forecast = SpendForecast.of(hourly, longAgo(), new BigDecimal("87.5"), now,
                periods.start(january), periods.end(january), berlin);

        assertThat(forecast.method()).isEqualTo("weekday-hour pattern of 4 weeks");
        assertThat(forecast.forecast()).isEqualByComparingTo("168");
        assertThat(forecast.low()).isEqualByComparingTo("168");
        assertThat(forecast.high()).isEqualByComparingTo("168");
    }

    private static boolean workingHour(ZonedDateTime hour) {
        return hour.getDayOfWeek().getValue() <= DayOfWeek.FRIDAY.getValue() && hour.getHour() >= 9
                && hour.getHour() < 17;
    }

    /**
     * The department's charge per hour over the given weeks before {@code now}, counted
     * back from its hour; hours the function gives null for are not charged (missing).
     */
    private static Map<Instant, BigDecimal> history(Instant now, ZoneId zone, int weeks,
            BiFunction<ZonedDateTime, Integer, BigDecimal> charge) {
        Instant current = SpendForecast.currentHour(now, zone);
        Map<Instant, BigDecimal> hourly = new HashMap<>();
        for (int back = 1; back <= weeks * 168; back++) {
            Instant hour = current.minus(Duration.ofHours(back));
            BigDecimal amount = charge.apply(hour.atZone(zone), (back - 1) / 168);
            if (amount != null) {
                hourly.put(hour, amount);
            }
        }
        return hourly;
    }

    /** A department charged long before the history window: all 4 weeks are whole. */
    private static Instant longAgo() {
        return Instant.parse("2020-01-01T00:00:00Z");
    }

    private static SpendForecast.Forecast forecast(Map<Instant, BigDecimal> hourly, Instant since, String charge,
            Instant now, ZoneId zone) {
        return SpendForecast.of(hourly, since, new BigDecimal(charge), now,
                NOVEMBER.atDay(1).atStartOfDay(zone).toInstant(),
                NOVEMBER.plusMonths(1).atDay(1).atStartOfDay(zone).toInstant(), zone);
    }

}
