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
 * Each node's energy per hour, and the mark that its idle energy must be allocated (again): every change moves the
 * row's version. Called inside the transaction that ingests the change.
 */
@Component
public class NodeHours {

    /** Rows are always updated in this order, so concurrent batches never deadlock on them. */
    private static final Comparator<NodeHour> ORDER = Comparator.comparing(NodeHour::node).thenComparing(NodeHour::hourStart);

    public record NodeHour(String node, Instant hourStart) {
    }

    private record Change(NodeHour key, BigDecimal measured, BigDecimal busy, BigDecimal direct) {
    }

    private final JdbcTemplate jdbc;

    NodeHours(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** Direct (request) energy metered for node-hours. */
    @Transactional(propagation = Propagation.MANDATORY)
    public void addDirect(Map<NodeHour, BigDecimal> directJoules) {
        List<Change> changes = new ArrayList<>();
        directJoules.forEach((key, joules) -> changes.add(new Change(key, BigDecimal.ZERO, BigDecimal.ZERO, joules)));
        apply(changes);
    }

    /** Energy measured by power windows, and the part of it drawn while serving. */
    @Transactional(propagation = Propagation.MANDATORY)
    void addMeasured(Map<NodeHour, BigDecimal[]> measuredAndBusy) {
        List<Change> changes = new ArrayList<>();
        measuredAndBusy.forEach((key, joules) -> changes.add(new Change(key, joules[0], joules[1], BigDecimal.ZERO)));
        apply(changes);
    }

    /**
     * After a rollup rebuild: the direct energy of each node-hour in [start, end) is taken again from the hourly
     * rollup, and every such hour is due for allocation again.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public void recomputeDirect(Instant start, Instant end) {
        Timestamp from = Timestamp.from(start);
        Timestamp to = Timestamp.from(end);
        // rows locked in the one order every writer of node_hour uses (node, hour), so no deadlock with ingestion
        jdbc.query("SELECT 1 FROM node_hour WHERE hour_start >= ? AND hour_start < ? ORDER BY node, hour_start FOR UPDATE",
                row -> { }, from, to);
        jdbc.update("UPDATE node_hour SET direct_joules = 0, version = version + 1 WHERE hour_start >= ? AND hour_start < ?",
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
                .numeric(Change::measured)
                .numeric(Change::busy)
                .numeric(Change::direct);
        rows.update(jdbc, """
                    INSERT INTO node_hour AS h (node, hour_start, measured_joules, busy_joules, idle_joules, direct_joules)
                    SELECT node, hour_start, measured, busy, measured - busy, direct
                    FROM unnest(?, ?, ?, ?, ?) WITH ORDINALITY AS c(node, hour_start, measured, busy, direct, position)
                    ORDER BY position
                    ON CONFLICT (node, hour_start) DO UPDATE SET
                        measured_joules = h.measured_joules + excluded.measured_joules,
                        busy_joules = h.busy_joules + excluded.busy_joules,
                        idle_joules = h.idle_joules + excluded.idle_joules,
                        direct_joules = h.direct_joules + excluded.direct_joules,
                        version = h.version + 1""");
    }
}
