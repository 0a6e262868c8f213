package io.tokenfactory.billing.charging;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

import io.tokenfactory.billing.pricing.Prices;
import io.tokenfactory.contracts.EnergySource;
import io.tokenfactory.contracts.IdleEnergyAllocated;
import io.tokenfactory.support.events.RejectedEventException;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Prices a department's share of idle energy and idle accelerator time per hour, node by
 * node: the energy at the tariff of that hour, the accelerator time at the capacity rate
 * of the node's class — so cost per token is fully loaded. A correction (higher revision)
 * replaces the earlier value and moves the spend by the difference; the same or an older
 * revision again changes nothing. Idle is a cost of the platform; a cost-plus department
 * is also charged for it, a list-price department pays only its tokens' list prices.
 * Statement lines keep it per energy source.
 */
@Service
public class IdleCharging {

    private record Previous(int revision, BigDecimal idleJoules, BigDecimal overheadJoules, BigDecimal cost,
            BigDecimal charge) {
    }

    /** One node's idle share, priced. */
    record Priced(String node, String nodeClass, String source, BigDecimal idleJoules, BigDecimal overheadJoules,
            BigDecimal idleSeconds, BigDecimal energyCost, BigDecimal capacityCost, BigDecimal charge) {

        BigDecimal cost() {
            return energyCost.add(capacityCost);
        }
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

    /**
     * @return true when this revision changed the charge
     */
    @Transactional
    public boolean charge(IdleEnergyAllocated allocation) {
        validate(allocation);
        Timestamp hour = Timestamp.from(allocation.hourStart());
        YearMonth servicePeriod = periods.periodOf(allocation.hourStart());
        // a row to lock even for the first revision: two revisions handled at once wait
        // for each other
        jdbc.update(
                """
                        INSERT INTO idle_charge (department_id, hour_start, period, revision, idle_joules, overhead_joules, cost,
                            charge, charged_at) VALUES (?, ?, ?, 0, 0, 0, 0, 0, ?)
                        ON CONFLICT (department_id, hour_start) DO NOTHING""",
                allocation.departmentId(), hour, servicePeriod.toString(), Timestamp.from(clock.instant()));
        Previous before = jdbc.queryForObject("""
                SELECT revision, idle_joules, overhead_joules, cost, charge FROM idle_charge
                WHERE department_id = ? AND hour_start = ? FOR UPDATE""", (row, i) -> new Previous(row.getInt(1),
                row.getBigDecimal(2), row.getBigDecimal(3), row.getBigDecimal(4), row.getBigDecimal(5)),
                allocation.departmentId(), hour);
        if (before.revision() >= allocation.revision()) {
            return false;
        }
        // what this revision adds to the rollups, per energy source: its nodes' sums less
        // the previous revision's
        Map<String, ChargeRollup.Sums> added = new TreeMap<>();
        subtractPrevious(added, allocation, before);
        Tariffing.Terms terms = tariffing.termsFor(allocation.departmentId());
        List<Priced> priced = price(allocation, terms);
        BigDecimal energyCost = sum(priced, Priced::energyCost);
        BigDecimal capacityCost = sum(priced, Priced::capacityCost);
        BigDecimal cost = energyCost.add(capacityCost);
        BigDecimal charge = sum(priced, Priced::charge);
        BigDecimal seconds = sum(priced, Priced::idleSeconds);
        YearMonth period = openPeriods.billedPeriodFor(servicePeriod);
        jdbc.update("""
                UPDATE idle_charge SET revision = ?, idle_joules = ?, overhead_joules = ?, idle_seconds = ?, cost = ?,
                    capacity_cost = ?, charge = ?, charged_at = ?
                WHERE department_id = ? AND hour_start = ?""", allocation.revision(), allocation.idleEnergyJoules(),
                allocation.facilityOverheadJoules(), seconds, cost, capacityCost, charge,
                Timestamp.from(clock.instant()), allocation.departmentId(), hour);
        jdbc.update("DELETE FROM idle_charge_node WHERE department_id = ? AND hour_start = ?",
                allocation.departmentId(), hour);
        for (Priced node : priced) {
            jdbc.update(
                    """
                            INSERT INTO idle_charge_node (department_id, hour_start, node, node_class, energy_source, idle_joules,
                                overhead_joules, idle_seconds, energy_cost, capacity_cost, charge)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    allocation.departmentId(), hour, node.node(), node.nodeClass(), node.source(), node.idleJoules(),
                    node.overheadJoules(), node.idleSeconds(), node.energyCost(), node.capacityCost(), node.charge());
        }
        // the difference is what this revision adds, billed in the first open month (an
        // adjustment after a close)
        jdbc.update("""
                INSERT INTO idle_charge_entry (department_id, hour_start, revision, period, service_period, idle_joules,
                    overhead_joules, cost, charge) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""", allocation.departmentId(),
                hour, allocation.revision(), period.toString(), servicePeriod.toString(),
                allocation.idleEnergyJoules().subtract(before.idleJoules()),
                allocation.facilityOverheadJoules().subtract(before.overheadJoules()), cost.subtract(before.cost()),
                charge.subtract(before.charge()));
        for (Priced node : priced) {
            add(added, node.source(), node.idleJoules(), node.overheadJoules(), node.cost(), node.charge());
        }
        Map<ChargeRollup.Key, ChargeRollup.Sums> rolledUp = new LinkedHashMap<>();
        added.forEach((source, sums) -> rolledUp.put(
                ChargeRollup.Key.of(allocation.departmentId(), period, servicePeriod, true, null, null, source), sums));
        rollup.add(rolledUp);
        ledger.add(allocation.departmentId(), period, charge.subtract(before.charge()), cost.subtract(before.cost()));
        return true;
    }

    /**
     * Prices each node's idle share at the hour's prices: idle and overhead energy at the
     * tariff, idle accelerator time at the capacity rate of the node's class; charged
     * only to a cost-plus department (no list price for idle).
     */
    static List<Priced> price(IdleEnergyAllocated allocation, Tariffing.Terms terms) {
        Prices prices = terms.prices();
        Instant at = allocation.hourStart();
        List<Priced> priced = new ArrayList<>();
        if (allocation.nodes().isEmpty()) {
            // a producer that predates per-node shares: the energy only, labelled as such
            // energy was then
            BigDecimal energyCost = prices
                .energyCost(allocation.idleEnergyJoules().add(allocation.facilityOverheadJoules()), at);
            priced.add(new Priced("(all nodes)", null, legacySource(allocation.idleEnergyJoules()),
                    allocation.idleEnergyJoules(), allocation.facilityOverheadJoules(), BigDecimal.ZERO, energyCost,
                    BigDecimal.ZERO.setScale(Prices.SCALE),
                    terms.charge(BigDecimal.ZERO.setScale(Prices.SCALE), energyCost)));
            return priced;
        }
        for (IdleEnergyAllocated.NodeShare node : allocation.nodes()) {
            BigDecimal energyCost = prices.energyCost(node.idleEnergyJoules().add(node.facilityOverheadJoules()), at);
            BigDecimal capacityCost = prices.capacityCost(node.node(), node.nodeClass(), node.idleAcceleratorSeconds(),
                    at);
            // no list price for idle time: a list-price department pays its tokens'
            // prices only
            BigDecimal charge = terms.charge(BigDecimal.ZERO.setScale(Prices.SCALE), energyCost.add(capacityCost));
            priced.add(new Priced(node.node(), prices.nodeClassOf(node.node(), node.nodeClass()),
                    node.energySource().name(), node.idleEnergyJoules(), node.facilityOverheadJoules(),
                    node.idleAcceleratorSeconds(), energyCost, capacityCost, charge));
        }
        return priced;
    }

    /** Takes off what the previous revision held, per energy source. */
    private void subtractPrevious(Map<String, ChargeRollup.Sums> added, IdleEnergyAllocated allocation,
            Previous before) {
        jdbc.query("""
                SELECT energy_source, idle_joules, overhead_joules, energy_cost + capacity_cost, charge
                FROM idle_charge_node WHERE department_id = ? AND hour_start = ?""", row -> {
            add(added, row.getString(1), row.getBigDecimal(2).negate(), row.getBigDecimal(3).negate(),
                    row.getBigDecimal(4).negate(), row.getBigDecimal(5).negate());
        }, allocation.departmentId(), Timestamp.from(allocation.hourStart()));
        if (added.isEmpty() && before.revision() > 0) {
            // charged before per-node shares were kept
            add(added, legacySource(before.idleJoules()), before.idleJoules().negate(),
                    before.overheadJoules().negate(), before.cost().negate(), before.charge().negate());
        }
    }

    private static String legacySource(BigDecimal joules) {
        return (joules.signum() > 0 ? EnergySource.ESTIMATED : EnergySource.NONE).name();
    }

    private static void add(Map<String, ChargeRollup.Sums> bySource, String source, BigDecimal joules,
            BigDecimal overhead, BigDecimal cost, BigDecimal charge) {
        ChargeRollup.Sums sums = bySource.computeIfAbsent(source, s -> new ChargeRollup.Sums());
        sums.idleJoules = sums.idleJoules.add(joules);
        sums.overheadJoules = sums.overheadJoules.add(overhead);
        sums.cost = sums.cost.add(cost);
        sums.charge = sums.charge.add(charge);
    }

    private static BigDecimal sum(List<Priced> priced, Function<Priced, BigDecimal> amount) {
        return priced.stream().map(amount).reduce(BigDecimal.ZERO.setScale(Prices.SCALE), BigDecimal::add);
    }

    static void validate(IdleEnergyAllocated allocation) {
        if (allocation.departmentId() == null || allocation.hourStart() == null || allocation.idleEnergyJoules() == null
                || allocation.facilityOverheadJoules() == null || allocation.idleEnergyJoules().signum() < 0
                || allocation.facilityOverheadJoules().signum() < 0 || allocation.revision() < 1
                || !Limits.plausibleTime(allocation.hourStart())
                || !Limits.plausibleJoules(allocation.idleEnergyJoules())
                || !Limits.plausibleJoules(allocation.facilityOverheadJoules())) {
            throw new RejectedEventException("idle-energy-allocated event with missing, negative or impossible values");
        }
        for (IdleEnergyAllocated.NodeShare node : allocation.nodes()) {
            if (node == null || node.node() == null || node.node().length() > 200 || node.energySource() == null
                    || node.idleEnergyJoules() == null || node.facilityOverheadJoules() == null
                    || node.idleAcceleratorSeconds() == null || node.idleEnergyJoules().signum() < 0
                    || node.facilityOverheadJoules().signum() < 0 || node.idleAcceleratorSeconds().signum() < 0
                    || !Limits.plausibleJoules(node.idleEnergyJoules())
                    || !Limits.plausibleSeconds(node.idleAcceleratorSeconds().doubleValue())
                    || (node.nodeClass() != null && node.nodeClass().length() > 64)) {
                throw new RejectedEventException(
                        "idle-energy-allocated event with a missing, negative or impossible " + "node share");
            }
        }
    }

}
