package io.tokenfactory.contracts;

import java.time.Instant;
import java.util.UUID;

/**
 * inference-service → metering-service: one inference request, its tokens and its measured energy.
 *
 * @param agentId    null when the caller is not an agent
 * @param agentRunId null when the request is not part of an agent run
 * @param tokensEstimated true when the serving backend reported no token counts and inference-service counted them
 *                        itself (a remote server without usage); such counts are approximate
 */
public record UsageRecorded(
        UUID eventId,
        Instant occurredAt,
        String requestId,
        UUID departmentId,
        UUID apiKeyId,
        UUID agentId,
        UUID agentRunId,
        String model,
        String backend,
        String node,
        String device,
        long promptTokens,
        long completionTokens,
        UsageOutcome outcome,
        long latencyMs,
        long timeToFirstTokenMs,
        double energyJoules,
        EnergySource energySource,
        double acceleratorSeconds,
        boolean tokensEstimated) implements TokenFactoryEvent {

    public long totalTokens() {
        return promptTokens + completionTokens;
    }

    @Override
    public String subject() {
        return "department/" + departmentId;
    }
}
