package io.tokenfactory.inference.energy;

import java.util.function.ToDoubleFunction;

import io.tokenfactory.contracts.EnergySource;

/**
 * How one node's energy is read. Only the node's meter owner reads it; readings are raw,
 * and {@link #between} turns two of them into joules, telling counter resets and
 * wrap-arounds apart so neither creates nor loses energy.
 */
interface EnergyMeter extends AutoCloseable {

    /**
     * A meter that could be opened on this machine, or why it could not ({@code meter}
     * null).
     */
    record Probe<M extends EnergyMeter>(M meter, String problem) {
    }

    /**
     * A power beyond this per series between two readings is garbage, not a measurement.
     */
    double MOST_PLAUSIBLE_WATTS = 5_000;

    /**
     * The source a reading of this kind stands for (a DCGM exporter without a counter is
     * integrated power).
     */
    EnergySource source(MeterReading.Kind kind);

    /** What is measured, for example {@code gpu0,gpu1} or {@code cpu-package}. */
    String device();

    /** {@code gpu} or {@code cpu}. */
    String deviceKind();

    /** How many accelerators the node's accelerator-seconds count per second. */
    int accelerators();

    /**
     * @throws MeterUnreadable when there is no usable reading now
     */
    MeterReading read();

    /**
     * Whether another process may continue from this meter's readings (counters since
     * boot, not an estimate).
     */
    boolean continuable();

    /**
     * Joules between two readings. @throws MeterUnreadable when they cannot be compared
     * or the result is garbage
     */
    default Delta between(MeterReading earlier, MeterReading later) {
        return Delta.between(earlier, later, series -> Double.NaN);
    }

    @Override
    default void close() {
    }

    /**
     * Energy between two readings, and what happened to the counters meanwhile.
     *
     * @param note null, or what the window's label says (a counter reset, a series that
     * appeared or vanished)
     */
    record Delta(double joules, String note) {

        /**
         * @param wrapJoules per series, where its counter wraps to 0 (NaN: it never
         * wraps, so a decrease is a reset)
         */
        static Delta between(MeterReading earlier, MeterReading later, ToDoubleFunction<String> wrapJoules) {
            if (earlier.kind() != later.kind()) {
                throw new MeterUnreadable("the meter changed from " + earlier.kind() + " to " + later.kind());
            }
            double seconds = (later.at().toEpochMilli() - earlier.at().toEpochMilli()) / 1000.0;
            if (seconds <= 0) {
                throw new MeterUnreadable("readings out of order");
            }
            double joules = 0;
            StringBuilder note = new StringBuilder();
            for (var entry : later.values().entrySet()) {
                Double before = earlier.values().get(entry.getKey());
                double now = entry.getValue();
                if (before == null) {
                    append(note, entry.getKey() + " appeared");
                    continue;
                }
                double part;
                if (later.kind() == MeterReading.Kind.POWER) {
                    part = (before + now) / 2 * seconds;
                }
                else if (now >= before) {
                    part = now - before;
                }
                else {
                    double wrap = wrapJoules.applyAsDouble(entry.getKey());
                    double wrapped = wrap - before + now;
                    if (!Double.isNaN(wrap) && wrapped <= MOST_PLAUSIBLE_WATTS * seconds) {
                        part = wrapped;
                        append(note, entry.getKey() + " counter wrapped");
                    }
                    else {
                        // the counter restarted (driver reload, reboot, exporter
                        // restart): what it counted since is
                        // known, what it counted between the last reading and the restart
                        // is not
                        part = now;
                        append(note, entry.getKey() + " counter reset");
                    }
                }
                if (!(part >= 0) || part > MOST_PLAUSIBLE_WATTS * seconds) {
                    throw new MeterUnreadable(
                            entry.getKey() + " moved by an implausible " + part + " J in " + seconds + " s");
                }
                joules += part;
            }
            for (String series : earlier.values().keySet()) {
                if (!later.values().containsKey(series)) {
                    append(note, series + " vanished");
                }
            }
            return new Delta(joules, note.isEmpty() ? null : note.toString());
        }

        private static void append(StringBuilder note, String what) {
            note.append(note.isEmpty() ? "" : "; ").append(what);
        }
    }

}
