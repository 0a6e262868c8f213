package io.tokenfactory.metering.reconciliation;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * For one window of whole hours: served (inference-service's request log) = metered
 * (metering's raw table, and its hourly rollups) = billed (billing-service's charges),
 * for requests, tokens and joules — in total and per department and model — and, per
 * department, the idle joules metering allocated against those billing charged.
 * Differences are metered − served and billed − served; {@code balanced} when every one
 * is zero (joules to a micro-joule) and no served request is still awaiting its energy.
 *
 * @param awaitingEnergy requests inference served whose usage event waits for their
 * energy to be settled (seconds, normally); they are served but cannot be metered yet
 * @param relayed what clients received through the gateway against what inference served,
 * over the window's hours the gateway has counted completely; null while none has
 * @param unavailable the services that did not answer, and why: their side and its
 * differences are null, and the window is not balanced
 */
public record Reconciliation(Instant from, Instant to, Counts served, Counts metered, Counts rolledUp, Counts billed,
        Counts difference, Counts rollupDifference, Counts billedDifference, long awaitingEnergy, boolean balanced,
        List<Row> rows, List<IdleRow> idle, @Nullable Relayed relayed, List<String> unavailable) {

    /**
     * Joules agree when they differ by less than this (double measurements summed as
     * exact decimals).
     */
    static final BigDecimal JOULE_TOLERANCE = new BigDecimal("0.000001");

    public record Counts(long requests, long promptTokens, long completionTokens, BigDecimal energyJoules) {

        static final Counts NONE = new Counts(0, 0, 0, BigDecimal.ZERO);

        /**
         * null when either side is unknown (its service did not answer). Joules to the
         * micro-joule: the sides sum doubles in different orders, and 1e-14 J of rounding
         * is not a difference anyone should chase.
         */
        static Counts difference(Counts a, Counts b) {
            return a == null || b == null ? null
                    : new Counts(a.requests - b.requests, a.promptTokens - b.promptTokens,
                            a.completionTokens - b.completionTokens,
                            a.energyJoules.subtract(b.energyJoules).setScale(6, RoundingMode.HALF_EVEN));
        }

        Counts plus(Counts other) {
            return new Counts(requests + other.requests, promptTokens + other.promptTokens,
                    completionTokens + other.completionTokens, energyJoules.add(other.energyJoules));
        }

        static boolean isZero(Counts difference) {
            return difference != null && difference.requests == 0 && difference.promptTokens == 0
                    && difference.completionTokens == 0 && difference.energyJoules.abs().compareTo(JOULE_TOLERANCE) < 0;
        }
    }

    /**
     * One department's use of one model in the window, as each of the three services
     * counted it.
     */
    public record Row(UUID department, String model, Counts served, Counts metered, Counts billed, boolean balanced) {

        /**
         * Balanced when metered and billed each equal served; never while a side is
         * unknown (null).
         */
        static Row of(UUID department, String model, Counts served, Counts metered, Counts billed) {
            return new Row(department, model, served, metered, billed, Counts.isZero(Counts.difference(metered, served))
                    && Counts.isZero(Counts.difference(billed, served)));
        }
    }

    /** Prompt and completion tokens: what the gateway can count of a response. */
    public record Tokens(long promptTokens, long completionTokens) {

        static final Tokens NONE = new Tokens(0, 0);

        Tokens plus(Tokens other) {
            return new Tokens(promptTokens + other.promptTokens, completionTokens + other.completionTokens);
        }

        /** relayed − served; null when either side is unknown. */
        static @Nullable Tokens difference(@Nullable Tokens relayed, @Nullable Tokens served) {
            return relayed == null || served == null ? null : new Tokens(relayed.promptTokens - served.promptTokens,
                    relayed.completionTokens - served.completionTokens);
        }

        /**
         * Whether the clients received what inference served: every completion token, and
         * no prompt token inference did not record. The gateway knows a response's prompt
         * only from a usage that went out — not for a stream without one (none asked for,
         * or cut short), nor for an error answer to a prompt inference counted — so fewer
         * relayed prompt tokens than served is no imbalance.
         */
        static boolean agree(@Nullable Tokens relayed, @Nullable Tokens served) {
            return relayed != null && served != null && relayed.completionTokens == served.completionTokens
                    && relayed.promptTokens <= served.promptTokens;
        }
    }

    /**
     * What clients received through the gateway (its {@code relayed_usage}) against what
     * inference-service served (its request log), per department, over [from, to): the
     * hours of the reconciliation's window that ended {@code relayed-counted-after} ago,
     * so every gateway replica has flushed them. A response counts in the hour it ended,
     * on both sides; one ending within moments of the window's edge can fall on either
     * side of it, so read a lone response's difference at an edge as that. Set against
     * served, not metered: metered usage also holds what never passed the gateway (usage
     * a remote node reports to the broker itself), and served = metered is checked above.
     *
     * @param relayed null when the gateway did not answer
     * @param served null when inference-service did not answer
     * @param difference relayed − served: above zero, clients received tokens inference
     * did not record (unbilled); below, inference recorded tokens no client received
     * @param chunkCountedRequests responses the gateway counted by their content chunks
     * (a stream without a usage: none asked for, or cut short before it), whose prompt it
     * could not know
     */
    public record Relayed(Instant from, Instant to, @Nullable Tokens relayed, @Nullable Tokens served,
            @Nullable Tokens difference, long chunkCountedRequests, boolean balanced, List<RelayedRow> rows) {
    }

    /** One department's tokens as the gateway relayed them and inference served them. */
    public record RelayedRow(UUID department, @Nullable Tokens relayed, @Nullable Tokens served,
            @Nullable Tokens difference, long chunkCountedRequests, boolean balanced) {

        static RelayedRow of(UUID department, @Nullable Tokens relayed, @Nullable Tokens served,
                long chunkCountedRequests) {
            return new RelayedRow(department, relayed, served, Tokens.difference(relayed, served), chunkCountedRequests,
                    Tokens.agree(relayed, served));
        }
    }

    /**
     * One department's idle share of the window's hours, as metering allocated it and
     * billing charged it.
     */
    public record IdleRow(UUID department, BigDecimal meteredJoules, BigDecimal billedJoules, boolean balanced) {

        /**
         * @param billedJoules null when billing did not answer: the row is then not
         * balanced
         */
        static IdleRow of(UUID department, BigDecimal meteredJoules, BigDecimal billedJoules) {
            return new IdleRow(department, meteredJoules, billedJoules,
                    billedJoules != null && meteredJoules.subtract(billedJoules).abs().compareTo(JOULE_TOLERANCE) < 0);
        }
    }
}
