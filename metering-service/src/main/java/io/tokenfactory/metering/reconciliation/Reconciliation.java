package io.tokenfactory.metering.reconciliation;

import java.time.Instant;

/**
 * For one window: what inference-service served (its request log) against what metering counted, and the
 * difference (metered − served). Zero everywhere means nothing was lost and nothing counted twice.
 */
public record Reconciliation(Instant from, Instant to, Counts served, Counts metered, Counts difference,
        boolean balanced) {

    public record Counts(long requests, long promptTokens, long completionTokens) {

        Counts minus(Counts other) {
            return new Counts(requests - other.requests, promptTokens - other.promptTokens,
                    completionTokens - other.completionTokens);
        }
    }

    static Reconciliation of(Instant from, Instant to, Counts served, Counts metered) {
        Counts difference = metered.minus(served);
        return new Reconciliation(from, to, served, metered, difference,
                difference.equals(new Counts(0, 0, 0)));
    }
}
