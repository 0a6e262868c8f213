package io.tokenfactory.metering.energy;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tokenfactory.contracts.EventTypes;
import io.tokenfactory.contracts.PowerSampled;
import io.tokenfactory.support.jdbc.BatchStatement;
import io.tokenfactory.metering.energy.NodeHours.NodeHour;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Takes in power windows exactly once: the raw window, and its energy (measured and busy)
 * added to the hours it covers. A window that spans an hour boundary is split in
 * proportion to time, to the nanojoule, with nothing lost to rounding.
 */
@Service
public class PowerIngestion {

    private final JdbcTemplate jdbc;

    private final NodeHours nodeHours;

    private final Clock clock;

    private final MeterRegistry meters;

    PowerIngestion(JdbcTemplate jdbc, NodeHours nodeHours, Clock clock, MeterRegistry meters) {
        this.jdbc = jdbc;
        this.nodeHours = nodeHours;
        this.clock = clock;
        this.meters = meters;
    }

    @Transactional
    public int ingest(List<PowerSampled> batch) {
        Set<UUID> fresh = new HashSet<>(BatchStatement.of(batch).uuid(PowerSampled::eventId).query(jdbc, """
                INSERT INTO processed_event (event_id, event_type, processed_at)
                SELECT id, ?, now() FROM unnest(?) AS t(id)
                ON CONFLICT (event_id) DO NOTHING
                RETURNING event_id""", (row, i) -> row.getObject(1, UUID.class), EventTypes.POWER_SAMPLED));
        List<PowerSampled> samples = new ArrayList<>();
        for (PowerSampled sample : batch) {
            if (fresh.remove(sample.eventId())) {
                samples.add(sample);
            }
        }
        if (samples.isEmpty()) {
            return 0;
        }
        BatchStatement.of(samples)
            .uuid(PowerSampled::eventId)
            .text(PowerSampled::node)
            .text(PowerSampled::device)
            .text(sample -> sample.deviceKind() == null ? "unknown" : sample.deviceKind())
            .timestamp(PowerSampled::windowStart)
            .timestamp(PowerSampled::windowEnd)
            .numeric(sample -> EnergyAmounts.exact(sample.energyJoules()))
            .numeric(sample -> EnergyAmounts.exact(sample.busyEnergyJoules()))
            .text(sample -> sample.source().name())
            .text(PowerSampled::nodeClass)
            .numeric(sample -> EnergyAmounts.exact(sample.acceleratorSeconds()))
            .numeric(sample -> EnergyAmounts.exact(sample.busyAcceleratorSeconds()))
            .numeric(sample -> EnergyAmounts.exact(sample.gapSeconds()))
            .update(jdbc, """
                    INSERT INTO power_sample (received_at, event_id, node, device, device_kind, window_start,
                        window_end, energy_joules, busy_energy_joules, source, node_class, accelerator_seconds,
                        busy_accelerator_seconds, gap_seconds)
                    SELECT ?, * FROM unnest(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", Timestamp.from(clock.instant()));
        Map<NodeHour, NodeHours.Measured> byHour = new LinkedHashMap<>();
        for (PowerSampled sample : samples) {
            splitByHour(sample, byHour);
        }
        nodeHours.addMeasured(byHour);
        int ingested = samples.size();
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                Counter.builder("tokenfactory.metering.power.windows")
                    .description("power windows ingested")
                    .register(meters)
                    .increment(ingested);
            }
        });
        return ingested;
    }

    /**
     * The window's figures for each hour it covers, in proportion to time: measured and
     * busy energy, accelerator time (all and busy) and gap time. The last hour takes what
     * is left, so the parts add up to the window exactly, and no hour gets more busy than
     * measured.
     */
    static void splitByHour(PowerSampled sample, Map<NodeHour, NodeHours.Measured> byHour) {
        BigDecimal[] totals = { EnergyAmounts.exact(sample.energyJoules()),
                EnergyAmounts.exact(sample.busyEnergyJoules()), EnergyAmounts.exact(sample.acceleratorSeconds()),
                EnergyAmounts.exact(sample.busyAcceleratorSeconds()), EnergyAmounts.exact(sample.gapSeconds()) };
        BigDecimal[] left = totals.clone();
        BigDecimal length = BigDecimal.valueOf(Duration.between(sample.windowStart(), sample.windowEnd()).toNanos());
        Instant hour = sample.windowStart().truncatedTo(ChronoUnit.HOURS);
        while (hour.isBefore(sample.windowEnd())) {
            Instant next = hour.plus(1, ChronoUnit.HOURS);
            BigDecimal[] parts = new BigDecimal[totals.length];
            if (!next.isBefore(sample.windowEnd())) {
                parts = left.clone();
            }
            else {
                Instant overlapStart = hour.isAfter(sample.windowStart()) ? hour : sample.windowStart();
                BigDecimal overlap = BigDecimal.valueOf(Duration.between(overlapStart, next).toNanos());
                for (int i = 0; i < totals.length; i++) {
                    parts[i] = totals[i].multiply(overlap)
                        .divide(length, FacilityOverhead.JOULE_SCALE, RoundingMode.HALF_EVEN);
                }
                // never more busy than measured in this hour, and never leave more busy
                // than measured for the rest
                for (int whole = 0; whole <= 2; whole += 2) {
                    int busy = whole + 1;
                    parts[busy] = parts[busy].max(left[busy].subtract(left[whole].subtract(parts[whole])))
                        .min(parts[whole]);
                }
            }
            for (int i = 0; i < totals.length; i++) {
                left[i] = left[i].subtract(parts[i]);
            }
            NodeHours.Measured part = new NodeHours.Measured(parts[0], parts[1], parts[2], parts[3], parts[4],
                    sample.nodeClass(), sample.source().name());
            byHour.merge(new NodeHour(sample.node(), hour), part, NodeHours.Measured::plus);
            hour = next;
        }
    }

}
