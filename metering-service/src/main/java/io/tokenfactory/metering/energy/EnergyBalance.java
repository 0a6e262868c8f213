package io.tokenfactory.metering.energy;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;

import io.tokenfactory.metering.TimeBuckets;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Where every measured joule went, per node, over whole hours: direct (requests), idle
 * allocated to departments, idle unallocated (nobody used the node), idle pending (hours
 * not yet complete or changed since allocation), and the facility's overhead on top.
 * {@code unattributedJoules} is what remains: the busy energy a node reported in these
 * hours minus the direct energy metered for them — non-zero when a request straddles the
 * window's edge, or when a node's counter told energy across a gap (an exporter outage)
 * that no request could be given. Each node also shows its accelerator time (all, busy,
 * idle and allocated idle), the time without meter readings, and where its energy came
 * from.
 */
@Service
public class EnergyBalance {

    public record NodeBalance(String node, String energySource, String nodeClass, BigDecimal measuredJoules,
            BigDecimal busyReportedJoules, BigDecimal directJoules, BigDecimal idleJoules,
            BigDecimal allocatedIdleJoules, BigDecimal unallocatedIdleJoules, BigDecimal pendingIdleJoules,
            BigDecimal unattributedJoules, BigDecimal facilityOverheadJoules, BigDecimal acceleratorSeconds,
            BigDecimal busyAcceleratorSeconds, BigDecimal idleAcceleratorSeconds,
            BigDecimal allocatedIdleAcceleratorSeconds, BigDecimal gapSeconds) {
    }

    public record Balance(Instant from, Instant to, List<NodeBalance> nodes, NodeBalance total) {
    }

    private final JdbcTemplate jdbc;

    private final FacilityOverhead facility;

    EnergyBalance(JdbcTemplate jdbc, FacilityOverhead facility) {
        this.jdbc = jdbc;
        this.facility = facility;
    }

    @Transactional(readOnly = true)
    public Balance between(Instant from, Instant to) {
        Instant start = TimeBuckets.floor(from, ChronoUnit.HOURS);
        Instant end = TimeBuckets.ceil(to, ChronoUnit.HOURS);
        List<NodeBalance> nodes = jdbc.query(
                """
                        WITH pue AS %s,
                        allocation AS (
                            SELECT node, hour_start, sum(idle_joules) FILTER (WHERE department_id IS NOT NULL) AS allocated,
                                sum(idle_joules) FILTER (WHERE department_id IS NULL) AS unallocated,
                                sum(idle_seconds) FILTER (WHERE department_id IS NOT NULL) AS allocated_seconds
                            FROM idle_allocation WHERE hour_start >= ? AND hour_start < ? GROUP BY node, hour_start)
                        SELECT n.node, sum(n.measured_joules), sum(n.busy_joules), sum(n.direct_joules), sum(n.idle_joules),
                            COALESCE(sum(a.allocated), 0), COALESCE(sum(a.unallocated), 0),
                            round(sum((n.measured_joules) * (COALESCE((SELECT factor FROM pue WHERE pue.effective_from <= n.hour_start
                                AND (pue.until IS NULL OR pue.until > n.hour_start)), 1) - 1)), 9),
                            sum(n.measured_seconds), sum(n.busy_seconds), sum(n.idle_seconds),
                            COALESCE(sum(a.allocated_seconds), 0), sum(n.gap_seconds),
                            (array_agg(n.energy_source ORDER BY n.hour_start DESC) FILTER (WHERE n.energy_source IS NOT NULL))[1],
                            (array_agg(n.node_class ORDER BY n.hour_start DESC) FILTER (WHERE n.node_class IS NOT NULL))[1]
                        FROM node_hour n LEFT JOIN allocation a ON a.node = n.node AND a.hour_start = n.hour_start
                        WHERE n.hour_start >= ? AND n.hour_start < ?
                        GROUP BY n.node ORDER BY n.node"""
                    .formatted(facility.asSqlTable()),
                (row, i) -> balance(row.getString(1), row.getString(14), row.getString(15), row.getBigDecimal(2),
                        row.getBigDecimal(3), row.getBigDecimal(4), row.getBigDecimal(5), row.getBigDecimal(6),
                        row.getBigDecimal(7), row.getBigDecimal(8),
                        new BigDecimal[] { row.getBigDecimal(9), row.getBigDecimal(10), row.getBigDecimal(11),
                                row.getBigDecimal(12), row.getBigDecimal(13) }),
                Timestamp.from(start), Timestamp.from(end), Timestamp.from(start), Timestamp.from(end));
        return new Balance(start, end, nodes, total(nodes));
    }

    /**
     * Every node's figures added up; pending and unattributed energy worked out again
     * from the sums.
     */
    static NodeBalance total(List<NodeBalance> nodes) {
        BigDecimal[] total = new BigDecimal[12];
        Arrays.fill(total, BigDecimal.ZERO);
        for (NodeBalance node : nodes) {
            total[0] = total[0].add(node.measuredJoules());
            total[1] = total[1].add(node.busyReportedJoules());
            total[2] = total[2].add(node.directJoules());
            total[3] = total[3].add(node.idleJoules());
            total[4] = total[4].add(node.allocatedIdleJoules());
            total[5] = total[5].add(node.unallocatedIdleJoules());
            total[6] = total[6].add(node.facilityOverheadJoules());
            total[7] = total[7].add(node.acceleratorSeconds());
            total[8] = total[8].add(node.busyAcceleratorSeconds());
            total[9] = total[9].add(node.idleAcceleratorSeconds());
            total[10] = total[10].add(node.allocatedIdleAcceleratorSeconds());
            total[11] = total[11].add(node.gapSeconds());
        }
        return balance(null, null, null, total[0], total[1], total[2], total[3], total[4], total[5], total[6],
                Arrays.copyOfRange(total, 7, 12));
    }

    /**
     * @param seconds accelerator time: all, busy, idle, idle allocated; then the time
     * without readings
     */
    static NodeBalance balance(String node, String source, String nodeClass, BigDecimal measured, BigDecimal busy,
            BigDecimal direct, BigDecimal idle, BigDecimal allocated, BigDecimal unallocated, BigDecimal facility,
            BigDecimal[] seconds) {
        BigDecimal pending = idle.subtract(allocated).subtract(unallocated);
        BigDecimal unattributed = measured.subtract(direct).subtract(allocated).subtract(unallocated).subtract(pending);
        return new NodeBalance(node, source, nodeClass, measured, busy, direct, idle, allocated, unallocated, pending,
                unattributed, facility, seconds[0], seconds[1], seconds[2], seconds[3], seconds[4]);
    }

}
