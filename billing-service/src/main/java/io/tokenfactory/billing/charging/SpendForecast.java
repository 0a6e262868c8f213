package io.tokenfactory.billing.charging;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A department's charge at the end of a month, forecast from its own weekly rhythm: for
 * every hour of the week (Monday 09:00, Monday 10:00, …, in the billing time zone) the
 * mean of what that hour cost over the last weeks, added up over the hours the month has
 * left, onto the charge so far. The current hour counts with the share of it still to
 * come.
 * <p>
 * History is up to {@value #HISTORY_WEEKS} weeks: 168-hour blocks counting back from the
 * start of the current hour. A block counts only when the department's history covers it
 * whole, so a department a fortnight old is averaged over 2 weeks, not over 4 of which 2
 * are empty. Across a change of the clocks a block holds one hour of the week twice and
 * another not at all; that week's pattern is then an hour off for part of the week.
 * <p>
 * The band: each week of history alone projects the remaining hours too; the forecast is
 * their mean, and the band is the forecast ± 1.645 sample standard deviations of those
 * projections (90 % of outcomes, if they were normally distributed) — wide when weeks
 * differ, zero when they are alike. Its low end is never below the charge so far (spend
 * does not go back). With one week of history there is no spread to measure: the band
 * then runs between the pattern and the run-rate (the charge so far stretched over the
 * whole month), whichever is lower to whichever is higher. With less than one week the
 * forecast is the run-rate alone, without a band.
 * <p>
 * Amounts are BigDecimal throughout and kept to 12 decimals; rounding to the currency
 * happens where they are shown.
 */
final class SpendForecast {

    /** The weeks of history the pattern is drawn from, at most. */
    static final int HISTORY_WEEKS = 4;

    static final Duration WEEK = Duration.ofHours(168);

    /** The two-sided 90 % quantile of the standard normal distribution. */
    static final BigDecimal Z_90 = new BigDecimal("1.645");

    static final String RUN_RATE = "run-rate";

    static final String MONTH_ENDED = "month ended";

    static final String MONTH_NOT_BEGUN = "month not begun";

    private static final int SLOTS = 7 * 24;

    private static final int SCALE = 12;

    private static final MathContext PRECISION = MathContext.DECIMAL128;

    private static final BigDecimal NANOS_PER_HOUR = BigDecimal.valueOf(Duration.ofHours(1).toNanos());

    /**
     * The forecast (the central figure), its band and how it was made.
     *
     * @param method {@code weekday-hour pattern of N weeks}, {@value #RUN_RATE},
     * {@value #MONTH_ENDED} or {@value #MONTH_NOT_BEGUN}
     */
    record Forecast(BigDecimal forecast, BigDecimal low, BigDecimal high, String method) {
    }

    private SpendForecast() {
    }

    /** The start of the hour {@code now} falls in, in the billing time zone. */
    static Instant currentHour(Instant now, ZoneId zone) {
        return now.atZone(zone).truncatedTo(ChronoUnit.HOURS).toInstant();
    }

    /** The first hour of history the forecast at {@code now} may use. */
    static Instant historyStart(Instant now, ZoneId zone) {
        return currentHour(now, zone).minus(WEEK.multipliedBy(HISTORY_WEEKS));
    }

    /**
     * @param hourly the department's charge per hour (usage and idle), keyed by the
     * hour's start in the billing time zone; hours without charges may be missing, hours
     * outside the history window are ignored
     * @param since the instant from which the department's history is complete: its first
     * charge, or any instant up to the window's start if it was charged before
     * @param charge the charge so far in the month
     * @param now the instant of the forecast
     * @param start the month's first instant
     * @param end the instant after the month's last
     */
    static Forecast of(Map<Instant, BigDecimal> hourly, Instant since, BigDecimal charge, Instant now, Instant start,
            Instant end, ZoneId zone) {
        if (!now.isBefore(end)) {
            return new Forecast(charge, charge, charge, MONTH_ENDED);
        }
        if (now.isBefore(start)) {
            return new Forecast(BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO, MONTH_NOT_BEGUN);
        }
        BigDecimal runRate = runRate(charge, now, start, end);
        List<BigDecimal[]> weeks = weeks(hourly, since, now, zone);
        if (weeks.isEmpty()) {
            return new Forecast(runRate, runRate, runRate, RUN_RATE);
        }
        // what each week of history, alone, says the rest of the month will cost
        List<BigDecimal> projections = new ArrayList<>();
        for (BigDecimal[] week : weeks) {
            projections.add(remaining(week, now, end, zone));
        }
        int n = projections.size();
        BigDecimal mean = projections.stream()
            .reduce(BigDecimal.ZERO, BigDecimal::add)
            .divide(BigDecimal.valueOf(n), PRECISION);
        BigDecimal forecast = charge.add(mean);
        BigDecimal low;
        BigDecimal high;
        if (n == 1) {
            low = forecast.min(runRate);
            high = forecast.max(runRate);
        }
        else {
            BigDecimal squares = BigDecimal.ZERO;
            for (BigDecimal projection : projections) {
                BigDecimal deviation = projection.subtract(mean);
                squares = squares.add(deviation.multiply(deviation));
            }
            // the sample standard deviation (n - 1) of the weeks' projections
            BigDecimal spread = squares.divide(BigDecimal.valueOf(n - 1), PRECISION).sqrt(PRECISION);
            BigDecimal margin = Z_90.multiply(spread);
            low = forecast.subtract(margin);
            high = forecast.add(margin);
        }
        return new Forecast(scaled(forecast), scaled(low.max(charge)), scaled(high),
                "weekday-hour pattern of " + n + (n == 1 ? " week" : " weeks"));
    }

    /**
     * The charge so far stretched over the whole month (charge / elapsed share); with
     * nothing elapsed yet, the charge itself.
     */
    static BigDecimal runRate(BigDecimal charge, Instant now, Instant start, Instant end) {
        long elapsed = Duration.between(start, now).toSeconds();
        if (elapsed <= 0) {
            return charge;
        }
        return charge.multiply(BigDecimal.valueOf(Duration.between(start, end).toSeconds()))
            .divide(BigDecimal.valueOf(elapsed), SCALE, RoundingMode.HALF_EVEN);
    }

    /**
     * The weeks of history the department has whole, most recent first, each as its
     * charge per weekday-hour slot; empty when it has less than one.
     */
    private static List<BigDecimal[]> weeks(Map<Instant, BigDecimal> hourly, Instant since, Instant now, ZoneId zone) {
        Instant current = currentHour(now, zone);
        Instant from = historyStart(now, zone);
        long hours = since.isBefore(current) ? Duration.between(since, current).toHours() : 0;
        int available = (int) Math.min(HISTORY_WEEKS, hours / WEEK.toHours());
        List<BigDecimal[]> weeks = new ArrayList<>();
        for (int i = 0; i < available; i++) {
            BigDecimal[] slots = new BigDecimal[SLOTS];
            Arrays.fill(slots, BigDecimal.ZERO);
            weeks.add(slots);
        }
        hourly.forEach((hour, amount) -> {
            if (hour.isBefore(from) || !hour.isBefore(current)) {
                return;
            }
            // 0 for the 168 hours just before the current one, 1 for the 168 before
            // those, …
            int weeksBack = (int) ((Duration.between(hour, current).toSeconds() - 1) / WEEK.toSeconds());
            if (weeksBack < available) {
                int slot = slot(hour, zone);
                weeks.get(weeksBack)[slot] = weeks.get(weeksBack)[slot].add(amount);
            }
        });
        return weeks;
    }

    /**
     * What one week's slots add up to over the rest of the month, each hour weighted by
     * the share of it still to come (all of it, but for the current hour).
     */
    private static BigDecimal remaining(BigDecimal[] week, Instant now, Instant end, ZoneId zone) {
        BigDecimal sum = BigDecimal.ZERO;
        for (Instant hour = currentHour(now, zone); hour.isBefore(end); hour = hour.plus(1, ChronoUnit.HOURS)) {
            Instant from = hour.isBefore(now) ? now : hour;
            Instant to = hour.plus(1, ChronoUnit.HOURS).isAfter(end) ? end : hour.plus(1, ChronoUnit.HOURS);
            BigDecimal share = BigDecimal.valueOf(Duration.between(from, to).toNanos())
                .divide(NANOS_PER_HOUR, PRECISION);
            sum = sum.add(week[slot(hour, zone)].multiply(share));
        }
        return sum;
    }

    /**
     * The hour of the week in the billing time zone: Monday 00:00 is 0, Sunday 23:00 167.
     */
    static int slot(Instant hour, ZoneId zone) {
        ZonedDateTime local = hour.atZone(zone);
        return (local.getDayOfWeek().getValue() - 1) * 24 + local.getHour();
    }

    private static BigDecimal scaled(BigDecimal amount) {
        return amount.setScale(SCALE, RoundingMode.HALF_EVEN);
    }

}
