package io.tokenfactory.inference.generation;

import java.time.Instant;
import java.util.concurrent.CompletableFuture;

import io.tokenfactory.contracts.UsageOutcome;
import io.tokenfactory.inference.energy.MeasuredEnergy;

/**
 * How one generation ended.
 *
 * @param finishReason {@code stop} (a stop sequence), {@code length} (max tokens), or
 * null when not completed
 * @param promptTokens prompt tokens the model processed (0 when cancelled before it
 * started)
 * @param timeToFirstTokenMs from submission to the first token; -1 when there was none
 * @param energy its share of the node's measured energy, once the metering window it
 * ended in is settled
 */
public record GenerationResult(UsageOutcome outcome, String finishReason, int promptTokens, int completionTokens,
        Instant submittedAt, Instant finishedAt, long timeToFirstTokenMs, CompletableFuture<MeasuredEnergy> energy,
        String error) {
}
