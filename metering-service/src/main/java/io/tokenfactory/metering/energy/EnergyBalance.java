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
 * Where every measured joule went, per node, over whole hours: direct (requests), idle allocated to departments,
 * idle unallocated (nobody used the node), idle pending (hours not yet complete or changed since allocation), and
 * the facility's overhead on top. {@code unattributedJoules} is what remains: the busy energy a node reported in
 * these hours minus the direct energy metered for them, non-zero only when a request straddles the window's edge.
 */
@Service
public class EnergyBalance {

    public record NodeBalance(String node, BigDecimal measuredJoules, BigDecimal busyReportedJoules,
            BigDecimal directJoules, BigDecimal idleJoules, BigDecimal allocatedIdleJoules,
            BigDecimal unallocatedIdleJoules, BigDecimal pendingIdleJoules, BigDecimal unattributedJoules,
            BigDecimal facilityOverheadJoules) {
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
        List<NodeBalance> nodes = jdbc.query("""
                WITH pue AS %s,
                allocation AS (
                    SELECT node, hour_start, sum(idle_joules) FILTER (WHERE department_id IS NOT NULL) AS allocated,
                        sum(idle_joules) FILTER (WHERE department_id IS NULL) AS unallocated
                    FROM idle_allocation WHERE hour_start >= ? AND hour_start < ? GROUP BY node, hour_start)
                SELECT n.node, sum(n.measured_joules), sum(n.busy_joules), sum(n.direct_joules), sum(n.idle_joules),
                    COALESCE(sum(a.allocated), 0), COALESCE(sum(a.unallocated), 0),
                    round(sum((n.measured_joules) * (COALESCE((SELECT factor FROM pue WHERE pue.effective_from <= n.hour_start
                        AND (pue.until IS NULL OR pue.until > n.hour_start)), 1) - 1)), 9)
                FROM node_hour n LEFT JOIN allocation a ON a.node = n.node AND a.hour_start = n.hour_start
                WHERE n.hour_start >= ? AND n.hour_start < ?
                GROUP BY n.node ORDER BY n.node""".formatted(facility.asSqlTable()),
                (row, i) -> balance(row.getString(1), row.getBigDecimal(2), row.getBigDecimal(3), row.getBigDecimal(4),
                        row.getBigDecimal(5), row.getBigDecimal(6), row.getBigDecimal(7), row.getBigDecimal(8)),
                Timestamp.from(start), Timestamp.from(end), Timestamp.from(start), Timestamp.from(end));
        BigDecimal[] total = new BigDecimal[7];
        Arrays.fill(total, BigDecimal.ZERO);
        for (NodeBalance node : nodes) {
            total[0] = total[0].add(node.measuredJoules());
            total[1] = total[1].add(node.busyReportedJoules());
            total[2] = total[2].add(node.directJoules());
            total[3] = total[3].add(node.idleJoules());
            total[4] = total[4].add(node.allocatedIdleJoules());
            total[5] = total[5].add(node.unallocatedIdleJoules());
            total[6] = total[6].add(node.facilityOverheadJoules());
        }
        return new Balance(start, end, nodes, balance(null, total[0], total[1], total[2], total[3], total[4], total[5],
                total[6]));
    }

    private static NodeBalance balance(String node, BigDecimal measured, BigDecimal busy, BigDecimal direct,
            BigDecimal idle, BigDecimal allocated, BigDecimal unallocated, BigDecimal facility) {
        BigDecimal pending = idle.subtract(allocated).subtract(unallocated);
        BigDecimal unattributed = measured.subtract(direct).subtract(allocated).subtract(unallocated).subtract(pending);
        return new NodeBalance(node, measured, busy, direct, idle, allocated, unallocated, pending, unattributed, facility);
    }
}
