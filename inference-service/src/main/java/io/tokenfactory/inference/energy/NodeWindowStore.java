package io.tokenfactory.inference.energy;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.tokenfactory.contracts.EnergySource;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

import tools.jackson.databind.json.JsonMapper;

/**
 * The metering windows of every node, shared by the replicas through PostgreSQL: who owns
 * a node's meter (a lease), each replica's work reports, and the owner's settlements. A
 * report and a settlement of one node take the same advisory lock, so a window is split
 * exactly once, over exactly the reports it names.
 */
@Component
class NodeWindowStore {

    /** A settled window, as every replica reads it. */
    record Settlement(Instant windowStart, boolean measured, double joules, double acceleratorSeconds, double work,
            int requests, EnergySource source) {
    }

    /** A window's reports, summed. */
    record Totals(double work, int requests) {
    }

    private final JdbcTemplate jdbc;

    private final JsonMapper json;

    NodeWindowStore(JdbcTemplate jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /**
     * Takes or renews the node's meter lease; true while {@code replica} holds it.
     * Database time, so clocks agree.
     */
    @Transactional
    public boolean holdLease(String node, String replica, Duration lease) {
        List<String> owner = jdbc.queryForList("""
                INSERT INTO node_meter (node, owner, lease_until)
                VALUES (?, ?, clock_timestamp() + make_interval(secs => ?))
                ON CONFLICT (node) DO UPDATE SET owner = excluded.owner, lease_until = excluded.lease_until
                WHERE node_meter.owner = excluded.owner OR node_meter.lease_until < clock_timestamp()
                RETURNING owner""", String.class, node, replica, lease.toMillis() / 1000.0);
        return !owner.isEmpty();
    }

    @Transactional
    public void releaseLease(String node, String replica) {
        jdbc.update("UPDATE node_meter SET lease_until = clock_timestamp() WHERE node = ? AND owner = ?", node,
                replica);
    }

    /**
     * The last reading an owner of the node kept, for a successor to continue its
     * counters from.
     */
    @Transactional(readOnly = true)
    public Optional<MeterReading> lastReading(String node) {
        List<String> readings = jdbc
            .queryForList("SELECT reading FROM node_meter WHERE node = ? AND reading IS NOT NULL", String.class, node);
        return readings.stream().findFirst().map(text -> json.readValue(text, MeterReading.class));
    }

    @Transactional
    public void keepReading(String node, String replica, MeterReading reading) {
        jdbc.update("UPDATE node_meter SET reading = ? WHERE node = ? AND owner = ?", json.writeValueAsString(reading),
                node, replica);
    }

    /**
     * Reports a replica's work in a window; false when the window was settled already
     * (the report came too late to get a share).
     */
    @Transactional
    public boolean report(String node, Instant windowStart, String replica, double work, int requests) {
        lock(node);
        Boolean settled = jdbc.queryForObject(
                "SELECT EXISTS (SELECT 1 FROM node_window WHERE node = ? AND window_start = ?)", Boolean.class, node,
                Timestamp.from(windowStart));
        if (Boolean.TRUE.equals(settled)) {
            return false;
        }
        jdbc.update("""
                INSERT INTO node_work_report (node, window_start, replica, work, requests) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (node, window_start, replica) DO UPDATE SET work = node_work_report.work + excluded.work,
                    requests = node_work_report.requests + excluded.requests""", node, Timestamp.from(windowStart),
                replica, work, requests);
        return true;
    }

    /**
     * Settles a window over the reports it has now; a window settled already stays as it
     * was.
     */
    @Transactional
    public void settle(String node, Instant windowStart, Instant windowEnd, boolean measured, double joules,
            double acceleratorSeconds, EnergySource source, String note) {
        lock(node);
        Totals totals = jdbc.queryForObject("""
                SELECT COALESCE(sum(work), 0), COALESCE(sum(requests), 0) FROM node_work_report
                WHERE node = ? AND window_start = ?""", (row, i) -> new Totals(row.getDouble(1), row.getInt(2)), node,
                Timestamp.from(windowStart));
        jdbc.update("""
                INSERT INTO node_window (node, window_start, window_end, measured, energy_joules, accelerator_seconds,
                    work, requests, energy_source, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (node, window_start) DO NOTHING""", node, Timestamp.from(windowStart),
                Timestamp.from(windowEnd), measured, joules, acceleratorSeconds, totals.work(), totals.requests(),
                source.name(), abbreviate(note));
    }

    /**
     * Settles, as gaps, every reported window before {@code before} that no owner settled
     * (an owner died).
     */
    @Transactional
    public int settleOrphans(String node, Instant before, Duration window, String note) {
        lock(node);
        return jdbc.update(
                """
                        INSERT INTO node_window (node, window_start, window_end, measured, energy_joules, accelerator_seconds,
                            work, requests, energy_source, note)
                        SELECT r.node, r.window_start, r.window_start + make_interval(secs => ?), false, 0, 0, sum(r.work),
                            sum(r.requests), 'NONE', ?
                        FROM node_work_report r
                        WHERE r.node = ? AND r.window_start < ?
                            AND NOT EXISTS (SELECT 1 FROM node_window w WHERE w.node = r.node AND w.window_start = r.window_start)
                        GROUP BY r.node, r.window_start""",
                window.toMillis() / 1000.0, note, node, Timestamp.from(before));
    }

    @Transactional(readOnly = true)
    public Map<Instant, Settlement> settlements(String node, Instant from, Instant to) {
        Map<Instant, Settlement> settled = new LinkedHashMap<>();
        jdbc.query("""
                SELECT window_start, measured, energy_joules, accelerator_seconds, work, requests, energy_source
                FROM node_window WHERE node = ? AND window_start >= ? AND window_start <= ?""", row -> {
            Instant start = row.getTimestamp(1).toInstant();
            settled.put(start, new Settlement(start, row.getBoolean(2), row.getDouble(3), row.getDouble(4),
                    row.getDouble(5), row.getInt(6), EnergySource.valueOf(row.getString(7))));
        }, node, Timestamp.from(from), Timestamp.from(to));
        return settled;
    }

    /**
     * Records a span without window readings and the energy the counter told across it
     * (null: unknown).
     */
    @Transactional
    public void recordGap(String node, Instant from, Instant to, Double joules, String note) {
        Boolean busy = jdbc.queryForObject("""
                SELECT EXISTS (SELECT 1 FROM node_work_report WHERE node = ? AND window_start >= ? AND window_start < ?
                    AND requests > 0)""", Boolean.class, node, Timestamp.from(from), Timestamp.from(to));
        jdbc.update("""
                INSERT INTO node_gap (node, gap_start, gap_end, energy_joules, busy, note) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (node, gap_start) DO NOTHING""", node, Timestamp.from(from), Timestamp.from(to), joules,
                Boolean.TRUE.equals(busy), abbreviate(note));
    }

    private void lock(String node) {
        jdbc.query("SELECT pg_advisory_xact_lock(hashtextextended('node-window:' || ?, 0))", row -> null, node);
    }

    private static String abbreviate(String note) {
        return note == null || note.length() <= 500 ? note : note.substring(0, 497) + "...";
    }

}
