package io.tokenfactory.billing.charging;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.UUID;

import io.tokenfactory.testsupport.ServiceIntegrationTest;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The forecast's history read from the real tables: usage and idle charges together, per
 * hour in the billing time zone, and from when a department's history is whole. The
 * charges are written straight into the tables, for a department of their own, at 1.00 of
 * usage (at 17 minutes past) and 0.50 of idle every hour. The billing time zone here is
 * UTC: with no change of the clocks in the 4 weeks, every hour of the week is 1.50.
 */
@ServiceIntegrationTest
class SpendForecastIntegrationTests {

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    HourlyCharges hourlyCharges;

    @Autowired
    DepartmentSpend spend;

    @Autowired
    BillingPeriods periods;

    @Test
    void usageAndIdleChargesOfEveryHourForecastOneAndAHalfAnHourToTheMonthsEnd() {
        UUID department = UUID.randomUUID();
        ZoneId zone = periods.zone();
        Instant current = SpendForecast.currentHour(periods.now(), zone);
        // from before the 4 weeks of history to after the current hour, so that an hour
        // starting while the test runs changes nothing
        chargeEveryHour(department, current.minus(Duration.ofHours(4 * 168 + 2)), current.plus(Duration.ofHours(2)));
        YearMonth month = periods.currentPeriod();
        jdbc.update("""
                INSERT INTO department_spend (department_id, period, charge, cost, updated_at)
                VALUES (?, ?, 10, 0, now())""", department, month.toString());

        Instant from = SpendForecast.historyStart(periods.now(), zone);
        HourlyCharges.History history = hourlyCharges.of(department, from,
                SpendForecast.currentHour(periods.now(), zone));
        assertThat(history.since()).isEqualTo(from);
        assertThat(history.hourly()).hasSize(4 * 168).allSatisfy((hour, charge) -> {
            assertThat(charge).isEqualByComparingTo("1.50");
            assertThat(hour.atZone(zone).getMinute()).isZero();
        });

        Instant before = periods.now();
        DepartmentSpend.Report report = spend.of(department, month);
        Instant after = periods.now();
        assertThat(report.forecastMethod()).isEqualTo("weekday-hour pattern of 4 weeks");
        assertThat(report.charge()).isEqualByComparingTo("10");
        assertThat(report.forecast()).isBetween(tenAndAHalfAnHourUntil(periods.end(month), after),
                tenAndAHalfAnHourUntil(periods.end(month), before));
        assertThat(report.forecastLow()).isEqualByComparingTo(report.forecast());
        assertThat(report.forecastHigh()).isEqualByComparingTo(report.forecast());
    }

    @Test
    void aDepartmentChargedForLessThanAWeekIsForecastAtTheRunRate() {
        UUID department = UUID.randomUUID();
        Instant current = SpendForecast.currentHour(periods.now(), periods.zone());
        chargeEveryHour(department, current.minus(Duration.ofDays(3)), current);
        YearMonth month = periods.currentPeriod();
        jdbc.update("""
                INSERT INTO department_spend (department_id, period, charge, cost, updated_at)
                VALUES (?, ?, 10, 0, now())""", department, month.toString());

        HourlyCharges.History history = hourlyCharges.of(department,
                SpendForecast.historyStart(periods.now(), periods.zone()), current);
        assertThat(history.since()).isEqualTo(current.minus(Duration.ofDays(3)));

        DepartmentSpend.Report report = spend.of(department, month);
        assertThat(report.forecastMethod()).isEqualTo("run-rate");
        assertThat(report.forecastLow()).isEqualByComparingTo(report.forecast());
        assertThat(report.forecastHigh()).isEqualByComparingTo(report.forecast());
        assertThat(report.forecast()).isGreaterThanOrEqualTo(new BigDecimal("10"));
    }

    /** 1.00 of usage at 17 minutes past each hour and 0.50 of idle, from to to. */
    private void chargeEveryHour(UUID department, Instant from, Instant to) {
        String zone = HourlyCharges.postgresZone(periods.zone());
        String node = "forecast-node-" + department;
        jdbc.update("""
                INSERT INTO usage_charge (usage_event_id, department_id, period, service_period, occurred_at, model,
                    node, node_class, energy_source, prompt_tokens, completion_tokens, embedding_tokens,
                    direct_joules, overhead_joules, accelerator_seconds, list_price, cost, charge, charged_at)
                SELECT gen_random_uuid(), ?, to_char(h AT TIME ZONE ?, 'YYYY-MM'), to_char(h AT TIME ZONE ?, 'YYYY-MM'),
                    h + interval '17 minutes', 'forecast-model', ?, ?, 'NONE', 1, 1, 0, 0, 0, 0, 1, 0, 1, now()
                FROM generate_series(?::timestamptz, ?::timestamptz - interval '1 hour', interval '1 hour') h""",
                department, zone, zone, node, node, Timestamp.from(from), Timestamp.from(to));
        jdbc.update("""
                INSERT INTO idle_charge (department_id, hour_start, period, revision, idle_joules, overhead_joules,
                    cost, charge, charged_at)
                SELECT ?, h, to_char(h AT TIME ZONE ?, 'YYYY-MM'), 1, 0, 0, 0, 0.5, now()
                FROM generate_series(?::timestamptz, ?::timestamptz - interval '1 hour', interval '1 hour') h""",
                department, zone, Timestamp.from(from), Timestamp.from(to));
    }

    /**
     * 10 so far, and 1.50 for every hour from {@code now} to the month's end, rounded.
     */
    private BigDecimal tenAndAHalfAnHourUntil(Instant end, Instant now) {
        BigDecimal hours = BigDecimal.valueOf(Duration.between(now, end).toMillis())
            .divide(BigDecimal.valueOf(Duration.ofHours(1).toMillis()), 12, RoundingMode.HALF_EVEN);
        return periods.round(new BigDecimal("10").add(new BigDecimal("1.5").multiply(hours)));
    }

}
