package io.tokenfactory.billing.charging;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * A department's charge per hour of use, usage and idle together, each hour starting on
 * the hour in the billing time zone: the history {@link SpendForecast} learns from.
 * <p>
 * Usage counts at the instant it happened ({@code usage_charge.occurred_at}). Idle is
 * charged per department and hour ({@code idle_charge}: one row per department and
 * {@code hour_start}, holding the latest revision's charge), so it counts in its hour;
 * {@code idle_charge_entry} holds the same amounts as differences between revisions and
 * {@code idle_charge_node} split by node, so neither is read again. The month a charge is
 * billed in plays no part: an adjustment for an earlier month counts when it was used.
 * What has not been charged yet is not here: idle energy allocated after its hour, or
 * usage still on its way, leaves the latest hours a little low until it arrives.
 */
@Component
class HourlyCharges {

    private final JdbcTemplate jdbc;

    private final BillingPeriods periods;

    HourlyCharges(JdbcTemplate jdbc, BillingPeriods periods) {
        this.jdbc = jdbc;
        this.periods = periods;
    }

    /**
     * A department's charge per hour, and since when it is complete.
     *
     * @param since {@code from} if the department was charged before it, else its first
     * charged hour (the window's end if none)
     * @param hourly the charge per hour in the window, keyed by the hour's start; hours
     * without any charge are missing
     */
    record History(Instant since, Map<Instant, BigDecimal> hourly) {
    }

    /**
     * The department's charge per hour from {@code from} (inclusive) to {@code to}
     * (exclusive).
     */
    History of(UUID department, Instant from, Instant to) {
        Map<Instant, BigDecimal> hourly = new HashMap<>();
        // a charge is billed in its month of use or later, never earlier: the bound on
        // period lets the (department_id, period) index find the department's recent
        // charges
        jdbc.query("""
                SELECT date_trunc('hour', at, ?) AS hour, sum(charge) FROM (
                    SELECT occurred_at AS at, charge FROM usage_charge
                    WHERE department_id = ? AND period >= ? AND occurred_at >= ? AND occurred_at < ?
                    UNION ALL
                    SELECT hour_start, charge FROM idle_charge
                    WHERE department_id = ? AND hour_start >= ? AND hour_start < ?
                ) charges
                GROUP BY 1""", row -> {
            hourly.put(row.getTimestamp(1).toInstant(), row.getBigDecimal(2));
        }, postgresZone(periods.zone()), department, periods.periodOf(from).toString(), Timestamp.from(from),
                Timestamp.from(to), department, Timestamp.from(from), Timestamp.from(to));
        Instant since = chargedBefore(department, from) ? from
                : hourly.keySet().stream().min(Instant::compareTo).orElse(to);
        return new History(since, hourly);
    }

    /**
     * Whether the department has any charge before the instant: both lookups stop at the
     * first row found, by the (department_id, period) index and idle_charge's key.
     */
    private boolean chargedBefore(UUID department, Instant instant) {
        return Boolean.TRUE.equals(jdbc.queryForObject("""
                SELECT EXISTS (SELECT 1 FROM usage_charge WHERE department_id = ? AND occurred_at < ?)
                    OR EXISTS (SELECT 1 FROM idle_charge WHERE department_id = ? AND hour_start < ?)""", Boolean.class,
                department, Timestamp.from(instant), department, Timestamp.from(instant)));
    }

    /**
     * The billing time zone as PostgreSQL reads it: a region by its name; a fixed offset
     * ({@code +05:30}, {@code UTC+05:30}) in POSIX form, whose sign PostgreSQL reads the
     * other way round (west of Greenwich positive), so +05:30 is written
     * {@code UTC-05:30}.
     */
    static String postgresZone(ZoneId zone) {
        if (zone.normalized() instanceof ZoneOffset offset) {
            return offset.getTotalSeconds() == 0 ? "UTC"
                    : "UTC" + ZoneOffset.ofTotalSeconds(-offset.getTotalSeconds()).getId();
        }
        return zone.getId();
    }

}
