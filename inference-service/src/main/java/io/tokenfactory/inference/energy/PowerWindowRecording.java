package io.tokenfactory.inference.energy;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import io.tokenfactory.contracts.EnergySource;
import io.tokenfactory.contracts.PowerSampled;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The meter owner's publication of a node's settled windows since the last one: one
 * {@code power_window} row and its {@code power-sampled} event, in one transaction with
 * the move of the node's published mark, so a window is published exactly once whichever
 * replica owns the meter. Time no window covers counts as a gap.
 */
@Service
class PowerWindowRecording {

    /** Settled windows are kept this long after publication, for inspection. */
    private static final Duration KEEP = Duration.ofHours(1);

    private final JdbcTemplate jdbc;

    private final ApplicationEventPublisher events;

    PowerWindowRecording(JdbcTemplate jdbc, ApplicationEventPublisher events) {
        this.jdbc = jdbc;
        this.events = events;
    }

    /**
     * The node's settled windows in a span, summed; {@code source} is the latest measured
     * window's, if any.
     */
    record Sums(double energy, double busy, double acceleratorSeconds, double busyAcceleratorSeconds,
            double coveredSeconds, double measuredSeconds, String source, Instant first) {

        /**
         * What the power window over {@code spanSeconds} publishes: the windows' energy
         * plus what the counter told across gaps; every second no window measured is gap
         * time; time no window covers is idle accelerator time.
         * @param meterSource the meter's own source, for energy that only gaps told
         */
        Published publish(double gapEnergy, double busyGapEnergy, double spanSeconds, int accelerators,
                EnergySource meterSource) {
            double total = energy + gapEnergy;
            // the busy share can exceed the total only by rounding; metering rejects busy
            // > measured
            double busyTotal = Math.min(busy + busyGapEnergy, total);
            double gapSeconds = Math.max(0, spanSeconds - measuredSeconds);
            double idleAcceleratorSeconds = Math.max(0, spanSeconds - coveredSeconds) * accelerators;
            EnergySource published = source != null ? EnergySource.valueOf(source)
                    : total > 0 ? meterSource : EnergySource.NONE;
            return new Published(total, busyTotal, acceleratorSeconds + idleAcceleratorSeconds, busyAcceleratorSeconds,
                    gapSeconds, published);
        }
    }

    /**
     * The figures of one {@code power_window} row and its {@code power-sampled} event.
     */
    record Published(double energy, double busy, double acceleratorSeconds, double busyAcceleratorSeconds,
            double gapSeconds, EnergySource source) {
    }

    /**
     * Publishes the node's windows settled before {@code settledUntil}, if there are new
     * ones.
     */
    @Transactional
    public void publish(String node, String nodeClass, EnergyMeter meter, Instant settledUntil) {
        List<Timestamp> marks = jdbc.queryForList("SELECT published_until FROM node_meter WHERE node = ? FOR UPDATE",
                Timestamp.class, node);
        Instant from = marks.isEmpty() || marks.get(0) == null ? null : marks.get(0).toInstant();
        Sums sums = jdbc.queryForObject("""
                SELECT COALESCE(sum(energy_joules), 0), COALESCE(sum(energy_joules) FILTER (WHERE requests > 0), 0),
                    COALESCE(sum(accelerator_seconds), 0),
                    COALESCE(sum(accelerator_seconds) FILTER (WHERE requests > 0), 0),
                    COALESCE(sum(extract(epoch FROM window_end - window_start)), 0),
                    COALESCE(sum(extract(epoch FROM window_end - window_start)) FILTER (WHERE measured), 0),
                    (array_agg(energy_source ORDER BY window_start DESC) FILTER (WHERE measured))[1],
                    min(window_start)
                FROM node_window WHERE node = ? AND window_start >= COALESCE(?, '-infinity'::timestamptz)
                    AND window_start < ?""",
                (row, i) -> new Sums(row.getDouble(1), row.getDouble(2), row.getDouble(3), row.getDouble(4),
                        row.getDouble(5), row.getDouble(6), row.getString(7),
                        row.getTimestamp(8) == null ? null : row.getTimestamp(8).toInstant()),
                node, from == null ? null : Timestamp.from(from), Timestamp.from(settledUntil));
        Instant start = from != null ? from : sums.first();
        if (start == null || !settledUntil.isAfter(start)) {
            return;
        }
        double[] gapEnergy = jdbc.queryForObject("""
                SELECT COALESCE(sum(energy_joules), 0), COALESCE(sum(energy_joules) FILTER (WHERE busy), 0)
                FROM node_gap WHERE node = ? AND gap_end > ? AND gap_end <= ?""",
                (row, i) -> new double[] { row.getDouble(1), row.getDouble(2) }, node, Timestamp.from(start),
                Timestamp.from(settledUntil));
        double span = Duration.between(start, settledUntil).toMillis() / 1000.0;
        Published window = sums.publish(gapEnergy[0], gapEnergy[1], span, meter.accelerators(),
                meter.source(MeterReading.Kind.COUNTER));
        UUID eventId = UUID.randomUUID();
        jdbc.update("""
                INSERT INTO power_window (event_id, node, device, device_kind, window_start, window_end, energy_joules,
                    busy_joules, energy_source, node_class, accelerator_seconds, busy_accelerator_seconds, gap_seconds)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", eventId, node, meter.device(), meter.deviceKind(),
                Timestamp.from(start), Timestamp.from(settledUntil), window.energy(), window.busy(),
                window.source().name(), nodeClass, window.acceleratorSeconds(), window.busyAcceleratorSeconds(),
                window.gapSeconds());
        jdbc.update("UPDATE node_meter SET published_until = ? WHERE node = ?", Timestamp.from(settledUntil), node);
        events.publishEvent(new PowerSampled(eventId, settledUntil, node, meter.device(), meter.deviceKind(), start,
                settledUntil, window.energy(), window.busy(), window.source(), nodeClass, window.acceleratorSeconds(),
                window.busyAcceleratorSeconds(), window.gapSeconds()));
        Instant before = settledUntil.minus(KEEP);
        jdbc.update("DELETE FROM node_work_report WHERE node = ? AND window_start < ?", node, Timestamp.from(before));
        jdbc.update("DELETE FROM node_window WHERE node = ? AND window_start < ?", node, Timestamp.from(before));
        jdbc.update("DELETE FROM node_gap WHERE node = ? AND gap_end < ?", node, Timestamp.from(before));
    }

}
