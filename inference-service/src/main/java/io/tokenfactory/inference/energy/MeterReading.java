package io.tokenfactory.inference.energy;

import java.time.Instant;
import java.util.Map;

/**
 * One reading of a node's meter: per series (a GPU, a RAPL zone, a Kepler counter),
 * either a cumulative counter in joules or a power gauge in watts. Raw, so that the
 * energy between two readings is computed in one place ({@link EnergyMeter#between}) —
 * also between a reading of one meter owner and one of its successor.
 */
public record MeterReading(Instant at, Kind kind, Map<String, Double> values) {

    public enum Kind {

        /** Energy since an origin (boot, driver load, exporter start), in joules. */
        COUNTER,
        /** Instantaneous power, in watts: energy is integrated between readings. */
        POWER

    }

    public MeterReading {
        values = Map.copyOf(values);
    }
}
