package io.tokenfactory.metering.energy;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import io.tokenfactory.contracts.IdleEnergyAllocated;
import io.tokenfactory.metering.MeteringProperties;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Shares each node's idle energy of a complete hour among the departments that used the node in that hour, in
 * proportion to their direct (busy) energy on it; an hour nobody used goes to the unallocated bucket. The shares of
 * a node-hour add up to its idle energy exactly (the last department takes the rounding remainder). Then, per
 * department and hour, the sum over nodes is compared with what billing was told; a new or changed value is
 * published as {@code idle-energy-allocated} with the next revision, in the same transaction (outbox).
 */
@Service
class IdleAllocation {

    /** One replica allocates at a time: a transaction-scoped advisory lock with this key. */
    private static final long LOCK = 0x7466_6964_6c65L;
    private static final int NODE_HOURS_PER_ROUND = 500;

    record DueNodeHour(String node, Instant hourStart, BigDecimal idleJoules, long version) {
    }

    private record Published(BigDecimal idleJoules, int revision) {
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

    /** Allocates up to one round of due node-hours; returns how many it allocated (0: nothing due, or busy elsewhere). */
    @Transactional
    public int allocateDue() {
        if (!Boolean.TRUE.equals(jdbc.queryForObject("SELECT pg_try_advisory_xact_lock(?)", Boolean.class, LOCK))) {
            return 0;
        }
        Instant now = clock.instant();
        // an hour is complete once it has ended and the grace period for late windows has passed
        Instant lastCompleteHour = now.minus(properties.energy().hourCompleteAfter()).truncatedTo(ChronoUnit.HOURS)
                .minus(1, ChronoUnit.HOURS);
        List<DueNodeHour> due = jdbc.query("""
                SELECT node, hour_start, idle_joules, version FROM node_hour
                WHERE version <> allocated_version AND hour_start <= ?
                ORDER BY node, hour_start LIMIT ?""",
                (row, i) -> new DueNodeHour(row.getString(1), row.getTimestamp(2).toInstant(), row.getBigDecimal(3),
                        row.getLong(4)),
                Timestamp.from(lastCompleteHour), NODE_HOURS_PER_ROUND);
        Set<Instant> hours = new TreeSet<>();
        for (DueNodeHour nodeHour : due) {
            allocate(nodeHour);
            hours.add(nodeHour.hourStart());
        }
        for (Instant hour : hours) {
            // an hour whose other node-hours are still due (next round) is published once they are allocated,
            // never with a partial total
            if (jdbc.queryForObject("SELECT count(*) FROM node_hour WHERE hour_start = ? AND version <> allocated_version",
                    Long.class, Timestamp.from(hour)) == 0) {
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
                GROUP BY department_id HAVING sum(energy_joules) > 0 ORDER BY department_id""",
                row -> {
                    busy.put(row.getObject(1, UUID.class), row.getBigDecimal(2));
                }, hour, nodeHour.node());
        Map<UUID, BigDecimal> shares = share(nodeHour.idleJoules(), busy);
        jdbc.update("DELETE FROM idle_allocation WHERE hour_start = ? AND node = ?", hour, nodeHour.node());
        shares.forEach((department, joules) -> jdbc.update(
                "INSERT INTO idle_allocation (hour_start, node, department_id, idle_joules) VALUES (?, ?, ?, ?)",
                hour, nodeHour.node(), department, joules));
        // the version read, not the current one: a change that landed meanwhile leaves the hour due again
        jdbc.update("UPDATE node_hour SET allocated_version = ? WHERE node = ? AND hour_start = ?", nodeHour.version(),
                nodeHour.node(), hour);
    }

    /**
     * @return each department's share (key null: unallocated), adding up to {@code idle} exactly
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
            BigDecimal part = i == departments.size() - 1 ? left
                    : idle.multiply(busyByDepartment.get(department))
                            .divide(totalBusy, FacilityOverhead.JOULE_SCALE, RoundingMode.HALF_EVEN);
            shares.put(department, part);
            left = left.subtract(part);
        }
        return shares;
    }

    private void publishChanges(Instant hourStart, Instant now) {
        Timestamp hour = Timestamp.from(hourStart);
        Map<UUID, BigDecimal> allocated = new HashMap<>();
        jdbc.query("""
                SELECT department_id, sum(idle_joules) FROM idle_allocation
                WHERE hour_start = ? AND department_id IS NOT NULL GROUP BY department_id""",
                row -> {
                    allocated.put(row.getObject(1, UUID.class), row.getBigDecimal(2));
                }, hour);
        Map<UUID, Published> published = new HashMap<>();
        jdbc.query("SELECT department_id, idle_joules, revision FROM idle_publication WHERE hour_start = ?",
                row -> {
                    published.put(row.getObject(1, UUID.class), new Published(row.getBigDecimal(2), row.getInt(3)));
                }, hour);
        Set<UUID> departments = new TreeSet<>(allocated.keySet());
        departments.addAll(published.keySet());
        for (UUID department : departments) {
            BigDecimal joules = allocated.getOrDefault(department, BigDecimal.ZERO)
                    .setScale(FacilityOverhead.JOULE_SCALE, RoundingMode.HALF_EVEN);
            Published before = published.get(department);
            if (before == null ? joules.signum() == 0 : before.idleJoules().compareTo(joules) == 0) {
                continue;
            }
            int revision = before == null ? 1 : before.revision() + 1;
            BigDecimal overhead = facility.overheadJoules(joules, hourStart);
            jdbc.update("""
                    INSERT INTO idle_publication (department_id, hour_start, idle_joules, facility_overhead_joules,
                        revision, published_at) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (department_id, hour_start) DO UPDATE SET idle_joules = excluded.idle_joules,
                        facility_overhead_joules = excluded.facility_overhead_joules, revision = excluded.revision,
                        published_at = excluded.published_at""",
                    department, hour, joules, overhead, revision, Timestamp.from(now));
            events.publishEvent(new IdleEnergyAllocated(UUID.randomUUID(), now, department, hourStart, joules, overhead,
                    revision));
        }
    }
}
