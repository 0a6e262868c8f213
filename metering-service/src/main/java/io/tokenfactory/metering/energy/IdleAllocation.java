package io.tokenfactory.metering.energy;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

import io.tokenfactory.contracts.EnergySource;
import io.tokenfactory.contracts.IdleEnergyAllocated;
import io.tokenfactory.metering.MeteringProperties;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Shares each node's idle energy of a complete hour among the departments that used the
 * node in that hour, in proportion to their direct (busy) energy on it; an hour nobody
 * used goes to the unallocated bucket. The shares of a node-hour add up to its idle
 * energy exactly (the last department takes the rounding remainder). Then, per department
 * and hour, the sum over nodes is compared with what billing was told; a new or changed
 * value is published as {@code idle-energy-allocated} with the next revision, in the same
 * transaction (outbox).
 */
@Service
class IdleAllocation {

    /**
     * One replica allocates at a time: a transaction-scoped advisory lock with this key.
     */
    private static final long LOCK = 0x7466_6964_6c65L;

    private static final int NODE_HOURS_PER_ROUND = 500;

    record DueNodeHour(String node, Instant hourStart, BigDecimal idleJoules, BigDecimal idleSeconds, long version) {
    }

    private record Published(String detail, int revision) {
    }

    private final JdbcTemplate jdbc;

    private final FacilityOverhead facility;

    private final ApplicationEventPublisher events;

    private final MeteringProperties properties;

    private final Clock clock;

    IdleAllocation(JdbcTemplate jdbc, FacilityOverhead facility, ApplicationEventPublisher events,
            MeteringProperties properties, Clock clock) {
        this.jdbc = jdbc;
        this.facility = facility;
        this.events = events;
        this.properties = properties;
        this.clock = clock;
    }

    /**
     * Allocates up to one round of due node-hours; returns how many it allocated (0:
     * nothing due, or busy elsewhere).
     */
    @Transactional
    public int allocateDue() {
        if (!Boolean.TRUE.equals(jdbc.queryForObject("SELECT pg_try_advisory_xact_lock(?)", Boolean.class, LOCK))) {
            return 0;
        }
        Instant now = clock.instant();
        Instant lastCompleteHour = lastCompleteHour(now, properties.energy().hourCompleteAfter());
        List<DueNodeHour> due = jdbc.query(
                """
                        SELECT node, hour_start, idle_joules, idle_seconds, version FROM node_hour
                        WHERE version <> allocated_version AND hour_start <= ?
                        ORDER BY node, hour_start LIMIT ?""", (row, i) -> new DueNodeHour(row.getString(1),
                        row.getTimestamp(2).toInstant(), row.getBigDecimal(3), row.getBigDecimal(4), row.getLong(5)),
                Timestamp.from(lastCompleteHour), NODE_HOURS_PER_ROUND);
        Set<Instant> hours = new TreeSet<>();
        for (DueNodeHour nodeHour : due) {
            allocate(nodeHour);
            hours.add(nodeHour.hourStart());
        }
        for (Instant hour : hours) {
            // an hour whose other node-hours are still due (next round) is published once
            // they are allocated,
            // never with a partial total
            if (jdbc.queryForObject(
                    "SELECT count(*) FROM node_hour WHERE hour_start = ? AND version <> allocated_version", Long.class,
                    Timestamp.from(hour)) == 0) {
                publishChanges(hour, now);
            }
        }
        return due.size();
    }

    private void allocate(DueNodeHour nodeHour) {
        Timestamp hour = Timestamp.from(nodeHour.hourStart());
        Map<UUID, BigDecimal> busy = new LinkedHashMap<>();
        jdbc.query("""
                SELECT department_id, sum(energy_joules) FROM usage_hourly WHERE hour_start = ? AND node = ?
                GROUP BY department_id HAVING sum(energy_joules) > 0 ORDER BY department_id""", row -> {
            busy.put(row.getObject(1, UUID.class), row.getBigDecimal(2));
        }, hour, nodeHour.node());
        // idle accelerator time is shared the same way as idle energy: by the
        // departments' busy energy
        Map<UUID, BigDecimal> joules = share(nodeHour.idleJoules(), busy);
        Map<UUID, BigDecimal> seconds = share(nodeHour.idleSeconds().max(BigDecimal.ZERO), busy);
        Set<UUID> departments = new LinkedHashSet<>(joules.keySet());
        departments.addAll(seconds.keySet());
        jdbc.update("DELETE FROM idle_allocation WHERE hour_start = ? AND node = ?", hour, nodeHour.node());
        departments.forEach(department -> jdbc.update("""
                INSERT INTO idle_allocation (hour_start, node, department_id, idle_joules, idle_seconds)
                VALUES (?, ?, ?, ?, ?)""", hour, nodeHour.node(), department,
                joules.getOrDefault(department, BigDecimal.ZERO), seconds.getOrDefault(department, BigDecimal.ZERO)));
        // the version read, not the current one: a change that landed meanwhile leaves
        // the hour due again
        jdbc.update("UPDATE node_hour SET allocated_version = ? WHERE node = ? AND hour_start = ?", nodeHour.version(),
                nodeHour.node(), hour);
    }

    /**
     * The start of the latest hour that has ended and whose grace period for late windows
     * has passed.
     */
    static Instant lastCompleteHour(Instant now, Duration hourCompleteAfter) {
        return now.minus(hourCompleteAfter).truncatedTo(ChronoUnit.HOURS).minus(1, ChronoUnit.HOURS);
    }

    /**
     * @return each department's share (key null: unallocated), adding up to {@code idle}
     * exactly
     */
    static Map<UUID, BigDecimal> share(BigDecimal idle, Map<UUID, BigDecimal> busyByDepartment) {
        Map<UUID, BigDecimal> shares = new LinkedHashMap<>();
        if (idle.signum() == 0) {
            return shares;
        }
        BigDecimal totalBusy = busyByDepartment.values().stream().reduce(BigDecimal.ZERO, BigDecimal::add);
        if (totalBusy.signum() <= 0) {
            shares.put(null, idle);
            return shares;
        }
        BigDecimal left = idle;
        List<UUID> departments = new ArrayList<>(busyByDepartment.keySet());
        for (int i = 0; i < departments.size(); i++) {
            UUID department = departments.get(i);
            BigDecimal part = i == departments.size() - 1 ? left : idle.multiply(busyByDepartment.get(department))
                .divide(totalBusy, FacilityOverhead.JOULE_SCALE, RoundingMode.HALF_EVEN);
            shares.put(department, part);
            left = left.subtract(part);
        }
        return shares;
    }

    /**
     * Per department, the hour's idle shares over its nodes, compared with what billing
     * was told (to the share of each node, its class and source); a new or changed one is
     * published with the next revision.
     */
    private void publishChanges(Instant hourStart, Instant now) {
        Timestamp hour = Timestamp.from(hourStart);
        Map<UUID, List<IdleEnergyAllocated.NodeShare>> allocated = new TreeMap<>();
        jdbc.query("""
                SELECT a.department_id, a.node, n.node_class, n.energy_source, a.idle_joules, a.idle_seconds
                FROM idle_allocation a LEFT JOIN node_hour n ON n.node = a.node AND n.hour_start = a.hour_start
                WHERE a.hour_start = ? AND a.department_id IS NOT NULL ORDER BY a.department_id, a.node""", row -> {
            BigDecimal joules = row.getBigDecimal(5).setScale(FacilityOverhead.JOULE_SCALE, RoundingMode.HALF_EVEN);
            allocated.computeIfAbsent(row.getObject(1, UUID.class), department -> new ArrayList<>())
                .add(new IdleEnergyAllocated.NodeShare(row.getString(2), row.getString(3),
                        row.getString(4) == null ? EnergySource.NONE : EnergySource.valueOf(row.getString(4)), joules,
                        facility.overheadJoules(joules, hourStart),
                        row.getBigDecimal(6).setScale(FacilityOverhead.JOULE_SCALE, RoundingMode.HALF_EVEN)));
        }, hour);
        Map<UUID, Published> published = new HashMap<>();
        jdbc.query("SELECT department_id, detail, revision FROM idle_publication WHERE hour_start = ?", row -> {
            published.put(row.getObject(1, UUID.class), new Published(row.getString(2), row.getInt(3)));
        }, hour);
        Set<UUID> departments = new TreeSet<>(allocated.keySet());
        departments.addAll(published.keySet());
        for (UUID department : departments) {
            List<IdleEnergyAllocated.NodeShare> nodes = allocated.getOrDefault(department, List.of());
            String detail = detail(nodes);
            Published before = published.get(department);
            if (before == null ? nodes.isEmpty() : detail.equals(before.detail())) {
                continue;
            }
            BigDecimal joules = nodes.stream()
                .map(IdleEnergyAllocated.NodeShare::idleEnergyJoules)
                .reduce(BigDecimal.ZERO.setScale(FacilityOverhead.JOULE_SCALE), BigDecimal::add);
            BigDecimal seconds = nodes.stream()
                .map(IdleEnergyAllocated.NodeShare::idleAcceleratorSeconds)
                .reduce(BigDecimal.ZERO.setScale(FacilityOverhead.JOULE_SCALE), BigDecimal::add);
            BigDecimal overhead = nodes.stream()
                .map(IdleEnergyAllocated.NodeShare::facilityOverheadJoules)
                .reduce(BigDecimal.ZERO.setScale(FacilityOverhead.JOULE_SCALE), BigDecimal::add);
            int revision = before == null ? 1 : before.revision() + 1;
            jdbc.update("""
                    INSERT INTO idle_publication (department_id, hour_start, idle_joules, facility_overhead_joules,
                        idle_seconds, detail, revision, published_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (department_id, hour_start) DO UPDATE SET idle_joules = excluded.idle_joules,
                        facility_overhead_joules = excluded.facility_overhead_joules,
                        idle_seconds = excluded.idle_seconds, detail = excluded.detail, revision = excluded.revision,
                        published_at = excluded.published_at""", department, hour, joules, overhead, seconds, detail,
                    revision, Timestamp.from(now));
            events.publishEvent(new IdleEnergyAllocated(UUID.randomUUID(), now, department, hourStart, joules, overhead,
                    revision, nodes));
        }
    }

    /**
     * What billing was told, as comparable text: each node's share, class, source and
     * accelerator time.
     */
    static String detail(List<IdleEnergyAllocated.NodeShare> nodes) {
        StringBuilder detail = new StringBuilder();
        for (IdleEnergyAllocated.NodeShare node : nodes) {
            detail.append(node.node())
                .append('|')
                .append(node.nodeClass())
                .append('|')
                .append(node.energySource())
                .append('|')
                .append(node.idleEnergyJoules().toPlainString())
                .append('|')
                .append(node.idleAcceleratorSeconds().toPlainString())
                .append(';');
        }
        return detail.toString();
    }

}
