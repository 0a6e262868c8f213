package io.tokenfactory.inference.generation;

import java.time.Instant;

import io.tokenfactory.contracts.UsageOutcome;

/**
 * How one generation ended.
 *
 * @param finishReason     {@code stop} (a stop sequence), {@code length} (max tokens), or null when not completed
 * @param promptTokens     prompt tokens the model processed (0 when cancelled before it started)
 * @param timeToFirstTokenMs from submission to the first token; -1 when there was none
 * @param energyJoules     this request's share of the measured energy of every step it was part of
 * @param deviceSeconds    its share of the device's busy time
 */
public record GenerationResult(UsageOutcome outcome, String finishReason, int promptTokens, int completionTokens,
        Instant submittedAt, Instant finishedAt, long timeToFirstTokenMs, double energyJoules, double deviceSeconds,
        String error) {
}
