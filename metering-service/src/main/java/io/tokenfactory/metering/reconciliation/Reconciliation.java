package io.tokenfactory.metering.reconciliation;

import java.time.Instant;

/**
 * For one window of whole hours: what inference-service served (its request log) against what metering counted —
 * in its raw table and in its hourly rollups — and the differences (metered − served). Zero everywhere means
 * nothing was lost and nothing counted twice.
 */
public record Reconciliation(Instant from, Instant to, Counts served, Counts metered, Counts rolledUp,
        Counts difference, Counts rollupDifference, boolean balanced) {

    public record Counts(long requests, long promptTokens, long completionTokens) {

        Counts minus(Counts other) {
            return new Counts(requests - other.requests, promptTokens - other.promptTokens,
                    completionTokens - other.completionTokens);
        }
    }

    static Reconciliation of(Instant from, Instant to, Counts served, Counts metered, Counts rolledUp) {
        Counts none = new Counts(0, 0, 0);
        Counts difference = metered.minus(served);
        Counts rollupDifference = rolledUp.minus(served);
        return new Reconciliation(from, to, served, metered, rolledUp, difference, rollupDifference,
                difference.equals(none) && rollupDifference.equals(none));
    }
}
