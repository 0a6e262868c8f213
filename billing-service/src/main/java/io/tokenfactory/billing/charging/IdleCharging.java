package io.tokenfactory.billing.charging;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.YearMonth;
import java.util.List;
import java.util.Map;

import io.tokenfactory.billing.pricing.Prices;
import io.tokenfactory.contracts.IdleEnergyAllocated;
import io.tokenfactory.support.events.RejectedEventException;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Prices a department's share of idle energy per hour. A correction (higher revision) replaces the earlier value
 * and moves the spend by the difference; the same or an older revision again changes nothing. Idle energy is a
 * cost of the platform; a cost-plus department is also charged for it, a list-price department pays only its
 * tokens' list prices.
 */
@Service
public class IdleCharging {

    private record Previous(int revision, BigDecimal idleJoules, BigDecimal overheadJoules, BigDecimal cost,
            BigDecimal charge) {
    }

    private final JdbcTemplate jdbc;
    private final Tariffing tariffing;
    private final BillingPeriods periods;
    private final OpenPeriods openPeriods;
    private final ChargeRollup rollup;
    private final SpendLedger ledger;
    private final Clock clock;

    IdleCharging(JdbcTemplate jdbc, Tariffing tariffing, BillingPeriods periods, OpenPeriods openPeriods,
            ChargeRollup rollup, SpendLedger ledger, Clock clock) {
        this.jdbc = jdbc;
        this.tariffing = tariffing;
        this.periods = periods;
        this.openPeriods = openPeriods;
        this.rollup = rollup;
        this.ledger = ledger;
        this.clock = clock;
    }

    /** @return true when this revision changed the charge */
    @Transactional
    public boolean charge(IdleEnergyAllocated allocation) {
        if (allocation.departmentId() == null || allocation.hourStart() == null || allocation.idleEnergyJoules() == null
                || allocation.facilityOverheadJoules() == null || allocation.idleEnergyJoules().signum() < 0
                || allocation.facilityOverheadJoules().signum() < 0 || allocation.revision() < 1
                || !Limits.plausibleTime(allocation.hourStart()) || !Limits.plausibleJoules(allocation.idleEnergyJoules())
                || !Limits.plausibleJoules(allocation.facilityOverheadJoules())) {
            throw new RejectedEventException("idle-energy-allocated event with missing, negative or impossible values");
        }
        YearMonth servicePeriod = periods.periodOf(allocation.hourStart());
        // a row to lock even for the first revision: two revisions handled at once wait for each other
        jdbc.update("""
                INSERT INTO idle_charge (department_id, hour_start, period, revision, idle_joules, overhead_joules, cost,
                    charge, charged_at) VALUES (?, ?, ?, 0, 0, 0, 0, 0, ?)
                ON CONFLICT (department_id, hour_start) DO NOTHING""",
                allocation.departmentId(), Timestamp.from(allocation.hourStart()), servicePeriod.toString(),
                Timestamp.from(clock.instant()));
        List<Previous> previous = jdbc.query("""
                SELECT revision, idle_joules, overhead_joules, cost, charge FROM idle_charge
                WHERE department_id = ? AND hour_start = ? FOR UPDATE""",
                (row, i) -> new Previous(row.getInt(1), row.getBigDecimal(2), row.getBigDecimal(3), row.getBigDecimal(4),
                        row.getBigDecimal(5)),
                allocation.departmentId(), Timestamp.from(allocation.hourStart()));
        Previous before = previous.get(0);
        if (before.revision() >= allocation.revision()) {
            return false;
        }
        Tariffing.Terms terms = tariffing.termsFor(allocation.departmentId());
        BigDecimal cost = terms.prices().energyCost(
                allocation.idleEnergyJoules().add(allocation.facilityOverheadJoules()), allocation.hourStart());
        // no list price for idle energy: a list-price department pays its tokens' prices only
        BigDecimal charge = terms.charge(BigDecimal.ZERO.setScale(Prices.SCALE), cost);
        YearMonth period = openPeriods.billedPeriodFor(servicePeriod);
        jdbc.update("""
                INSERT INTO idle_charge (department_id, hour_start, period, revision, idle_joules, overhead_joules, cost,
                    charge, charged_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (department_id, hour_start) DO UPDATE SET revision = excluded.revision,
                    idle_joules = excluded.idle_joules, overhead_joules = excluded.overhead_joules,
                    cost = excluded.cost, charge = excluded.charge, charged_at = excluded.charged_at
                WHERE idle_charge.revision < excluded.revision""",
                allocation.departmentId(), Timestamp.from(allocation.hourStart()), servicePeriod.toString(),
                allocation.revision(), allocation.idleEnergyJoules(), allocation.facilityOverheadJoules(), cost, charge,
                Timestamp.from(clock.instant()));
        // the difference is what this revision adds, billed in the first open month (an adjustment after a close)
        jdbc.update("""
                INSERT INTO idle_charge_entry (department_id, hour_start, revision, period, service_period, idle_joules,
                    overhead_joules, cost, charge) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                allocation.departmentId(), Timestamp.from(allocation.hourStart()), allocation.revision(),
                period.toString(), servicePeriod.toString(),
                allocation.idleEnergyJoules().subtract(before.idleJoules()),
                allocation.facilityOverheadJoules().subtract(before.overheadJoules()), cost.subtract(before.cost()),
                charge.subtract(before.charge()));
        ChargeRollup.Sums sums = new ChargeRollup.Sums();
        sums.idleJoules = allocation.idleEnergyJoules().subtract(before.idleJoules());
        sums.overheadJoules = allocation.facilityOverheadJoules().subtract(before.overheadJoules());
        sums.cost = cost.subtract(before.cost());
        sums.charge = charge.subtract(before.charge());
        rollup.add(Map.of(ChargeRollup.Key.of(allocation.departmentId(), period, servicePeriod, true, null, null), sums));
        ledger.add(allocation.departmentId(), period, charge.subtract(before.charge()), cost.subtract(before.cost()));
        return true;
    }
}
