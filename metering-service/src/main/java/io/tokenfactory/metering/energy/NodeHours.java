package io.tokenfactory.metering.energy;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import io.tokenfactory.support.jdbc.BatchStatement;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Each node's energy per hour, and the mark that its idle energy must be allocated
 * (again): every change moves the row's version. Called inside the transaction that
 * ingests the change.
 */
@Component
public class NodeHours {

    /**
     * Rows are always updated in this order, so concurrent batches never deadlock on
     * them.
     */
    private static final Comparator<NodeHour> ORDER = Comparator.comparing(NodeHour::node)
        .thenComparing(NodeHour::hourStart);

    public record NodeHour(String node, Instant hourStart) {
    }

    /**
     * What power windows measured in one node-hour: energy and accelerator time, each
     * with its busy part, the time without readings, and the node's class and energy
     * source as its latest window said.
     */
    record Measured(BigDecimal joules, BigDecimal busyJoules, BigDecimal seconds, BigDecimal busySeconds,
            BigDecimal gapSeconds, String nodeClass, String energySource) {

        static Measured none() {
            return new Measured(BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO,
                    null, null);
        }

        Measured plus(Measured later) {
            return new Measured(joules.add(later.joules), busyJoules.add(later.busyJoules), seconds.add(later.seconds),
                    busySeconds.add(later.busySeconds), gapSeconds.add(later.gapSeconds),
                    later.nodeClass != null ? later.nodeClass : nodeClass,
                    later.energySource != null ? later.energySource : energySource);
        }
    }

    private record Change(NodeHour key, Measured measured, BigDecimal direct) {
    }

    private final JdbcTemplate jdbc;

    NodeHours(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** Direct (request) energy metered for node-hours. */
    @Transactional(propagation = Propagation.MANDATORY)
    public void addDirect(Map<NodeHour, BigDecimal> directJoules) {
        List<Change> changes = new ArrayList<>();
        directJoules.forEach((key, joules) -> changes.add(new Change(key, Measured.none(), joules)));
        apply(changes);
    }

    /**
     * Energy and accelerator time measured by power windows, and the parts of them drawn
     * while serving.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    void addMeasured(Map<NodeHour, Measured> measured) {
        List<Change> changes = new ArrayList<>();
        measured.forEach((key, figures) -> changes.add(new Change(key, figures, BigDecimal.ZERO)));
        apply(changes);
    }

    /**
     * After a rollup rebuild: the direct energy of each node-hour in [start, end) is
     * taken again from the hourly rollup, and every such hour is due for allocation
     * again.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public void recomputeDirect(Instant start, Instant end) {
        Timestamp from = Timestamp.from(start);
        Timestamp to = Timestamp.from(end);
        // rows locked in the one order every writer of node_hour uses (node, hour), so no
        // deadlock with ingestion
        jdbc.query(
                "SELECT 1 FROM node_hour WHERE hour_start >= ? AND hour_start < ? ORDER BY node, hour_start FOR UPDATE",
                row -> {
                }, from, to);
        jdbc.update(
                "UPDATE node_hour SET direct_joules = 0, version = version + 1 WHERE hour_start >= ? AND hour_start < ?",
                from, to);
        jdbc.update("""
                INSERT INTO node_hour AS h (node, hour_start, direct_joules)
                SELECT node, hour_start, sum(energy_joules) FROM usage_hourly
                WHERE hour_start >= ? AND hour_start < ?
                GROUP BY node, hour_start ORDER BY node, hour_start
                ON CONFLICT (node, hour_start) DO UPDATE SET direct_joules = excluded.direct_joules,
                    version = h.version + 1""", from, to);
    }

    private void apply(List<Change> changes) {
        if (changes.isEmpty()) {
            return;
        }
        changes.sort(Comparator.comparing(Change::key, ORDER));
        BatchStatement<Change> rows = BatchStatement.of(changes)
            .text(change -> change.key().node())
            .timestamp(change -> change.key().hourStart())
            .numeric(change -> change.measured().joules())
            .numeric(change -> change.measured().busyJoules())
            .numeric(Change::direct)
            .numeric(change -> change.measured().seconds())
            .numeric(change -> change.measured().busySeconds())
            .numeric(change -> change.measured().gapSeconds())
            .text(change -> change.measured().nodeClass())
            .text(change -> change.measured().energySource());
        rows.update(jdbc, """
                INSERT INTO node_hour AS h (node, hour_start, measured_joules, busy_joules, idle_joules, direct_joules,
                    measured_seconds, busy_seconds, idle_seconds, gap_seconds, node_class, energy_source)
                SELECT node, hour_start, measured, busy, measured - busy, direct, seconds, busy_seconds,
                    seconds - busy_seconds, gap_seconds, node_class, energy_source
                FROM unnest(?, ?, ?, ?, ?, ?, ?, ?, ?, ?) WITH ORDINALITY AS c(node, hour_start, measured, busy,
                    direct, seconds, busy_seconds, gap_seconds, node_class, energy_source, position)
                ORDER BY position
                ON CONFLICT (node, hour_start) DO UPDATE SET
                    measured_joules = h.measured_joules + excluded.measured_joules,
                    busy_joules = h.busy_joules + excluded.busy_joules,
                    idle_joules = h.idle_joules + excluded.idle_joules,
                    direct_joules = h.direct_joules + excluded.direct_joules,
                    measured_seconds = h.measured_seconds + excluded.measured_seconds,
                    busy_seconds = h.busy_seconds + excluded.busy_seconds,
                    idle_seconds = h.idle_seconds + excluded.idle_seconds,
                    gap_seconds = h.gap_seconds + excluded.gap_seconds,
                    node_class = COALESCE(excluded.node_class, h.node_class),
                    energy_source = COALESCE(excluded.energy_source, h.energy_source),
                    version = h.version + 1""");
    }

}
