package io.tokenfactory.inference.energy;

import java.time.Instant;

/**
 * A node's metering windows, aligned to the clock so that every replica cuts the same
 * ones: window {@code n} covers {@code [n × interval, (n + 1) × interval)} in epoch
 * milliseconds.
 */
record MeteringWindows(long intervalMillis) {

    /**
     * The window an instant falls into; instants before 1970 get negative windows, not
     * window 0.
     */
    long index(long millis) {
        return Math.floorDiv(millis, intervalMillis);
    }

    Instant start(long window) {
        return Instant.ofEpochMilli(window * intervalMillis);
    }

    /**
     * Seconds of {@code [fromMillis, toMillis)} that fall into the window; 0 when they do
     * not meet.
     */
    double overlapSeconds(long fromMillis, long toMillis, long window) {
        long from = Math.max(fromMillis, window * intervalMillis);
        long to = Math.min(toMillis, (window + 1) * intervalMillis);
        return Math.max(0, to - from) / 1000.0;
    }
}
