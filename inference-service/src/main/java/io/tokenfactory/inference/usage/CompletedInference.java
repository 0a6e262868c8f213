package io.tokenfactory.inference.usage;

import java.time.Instant;
import java.util.UUID;

import io.tokenfactory.contracts.EnergySource;
import io.tokenfactory.contracts.UsageOutcome;

/**
 * What the serving path knows about one finished (or cancelled, or failed) request.
 *
 * @param tokensEstimated the backend reported no token counts and they were counted here
 */
public record CompletedInference(
        String requestId,
        UUID departmentId,
        UUID apiKeyId,
        UUID agentId,
        UUID agentRunId,
        String model,
        String backend,
        String device,
        long promptTokens,
        long completionTokens,
        UsageOutcome outcome,
        Instant startedAt,
        Instant completedAt,
        long timeToFirstTokenMs,
        double energyJoules,
        EnergySource energySource,
        double acceleratorSeconds,
        boolean tokensEstimated) {
}
