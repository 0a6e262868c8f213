package io.tokenfactory.contracts;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * inference-service → metering-service: one inference request, its tokens and its
 * measured energy.
 *
 * @param agentId null when the caller is not an agent
 * @param agentRunId null when the request is not part of an agent run
 * @param energySource where {@code energyJoules} came from; {@link EnergySource#NONE}
 * when there is no figure (the joules are then 0 and must not be read as such)
 * @param tokensEstimated true when the serving backend reported no token counts and
 * inference-service counted them itself (a remote server without usage); such counts are
 * approximate
 * @param nodeClass the class of the node that served it (capacity rates are per class);
 * null when the node declares none
 * @param energyGapSeconds how much of the request's time fell into windows without a
 * meter reading (an exporter outage): its energy covers the rest only. 0 normally
 * @param endUser OpenAI's {@code user} of the request: the client's own end user, as the
 * client named it; null when not sent (and in events of producers that predate it)
 * @param traceparent the W3C trace context of the request (its span in
 * inference-service): metering and billing continue that trace; null when unknown
 * @param tags the cost tags of the key (or agent) that made the request: {@code team},
 * {@code project} and keys an administrator allows; empty when none (and in events of
 * producers that predate them)
 * @param deployment the deployment of the model that served it (a model may run on
 * several nodes, each a deployment); null in events of producers that predate deployments
 */
public record UsageRecorded(UUID eventId, Instant occurredAt, String requestId, UUID departmentId, UUID apiKeyId,
        UUID agentId, UUID agentRunId, String model, String backend, String node, String device, long promptTokens,
        long completionTokens, UsageOutcome outcome, long latencyMs, long timeToFirstTokenMs, double energyJoules,
        EnergySource energySource, double acceleratorSeconds, boolean tokensEstimated, String nodeClass,
        Double energyGapSeconds, String endUser, String traceparent, Map<String, String> tags,
        String deployment) implements TokenFactoryEvent {

    public UsageRecorded {
        // absent in events of producers that predate it
        energyGapSeconds = energyGapSeconds == null ? 0.0 : energyGapSeconds;
        tags = tags == null ? Map.of() : Map.copyOf(tags);
    }

    /** Usage without a deployment. */
    public UsageRecorded(UUID eventId, Instant occurredAt, String requestId, UUID departmentId, UUID apiKeyId,
            UUID agentId, UUID agentRunId, String model, String backend, String node, String device, long promptTokens,
            long completionTokens, UsageOutcome outcome, long latencyMs, long timeToFirstTokenMs, double energyJoules,
            EnergySource energySource, double acceleratorSeconds, boolean tokensEstimated, String nodeClass,
            Double energyGapSeconds, String endUser, String traceparent, Map<String, String> tags) {
        this(eventId, occurredAt, requestId, departmentId, apiKeyId, agentId, agentRunId, model, backend, node, device,
                promptTokens, completionTokens, outcome, latencyMs, timeToFirstTokenMs, energyJoules, energySource,
                acceleratorSeconds, tokensEstimated, nodeClass, energyGapSeconds, endUser, traceparent, tags, null);
    }

    /** Usage without cost tags. */
    public UsageRecorded(UUID eventId, Instant occurredAt, String requestId, UUID departmentId, UUID apiKeyId,
            UUID agentId, UUID agentRunId, String model, String backend, String node, String device, long promptTokens,
            long completionTokens, UsageOutcome outcome, long latencyMs, long timeToFirstTokenMs, double energyJoules,
            EnergySource energySource, double acceleratorSeconds, boolean tokensEstimated, String nodeClass,
            Double energyGapSeconds, String endUser, String traceparent) {
        this(eventId, occurredAt, requestId, departmentId, apiKeyId, agentId, agentRunId, model, backend, node, device,
                promptTokens, completionTokens, outcome, latencyMs, timeToFirstTokenMs, energyJoules, energySource,
                acceleratorSeconds, tokensEstimated, nodeClass, energyGapSeconds, endUser, traceparent, Map.of());
    }

    /** A tag's value, or null when the usage has no such tag. */
    public String tag(String key) {
        return tags.get(key);
    }

    /** Usage without an end user. */
    public UsageRecorded(UUID eventId, Instant occurredAt, String requestId, UUID departmentId, UUID apiKeyId,
            UUID agentId, UUID agentRunId, String model, String backend, String node, String device, long promptTokens,
            long completionTokens, UsageOutcome outcome, long latencyMs, long timeToFirstTokenMs, double energyJoules,
            EnergySource energySource, double acceleratorSeconds, boolean tokensEstimated, String nodeClass,
            Double energyGapSeconds) {
        this(eventId, occurredAt, requestId, departmentId, apiKeyId, agentId, agentRunId, model, backend, node, device,
                promptTokens, completionTokens, outcome, latencyMs, timeToFirstTokenMs, energyJoules, energySource,
                acceleratorSeconds, tokensEstimated, nodeClass, energyGapSeconds, null, null);
    }

    /** Usage outside a trace. */
    public UsageRecorded(UUID eventId, Instant occurredAt, String requestId, UUID departmentId, UUID apiKeyId,
            UUID agentId, UUID agentRunId, String model, String backend, String node, String device, long promptTokens,
            long completionTokens, UsageOutcome outcome, long latencyMs, long timeToFirstTokenMs, double energyJoules,
            EnergySource energySource, double acceleratorSeconds, boolean tokensEstimated, String nodeClass,
            Double energyGapSeconds, String endUser) {
        this(eventId, occurredAt, requestId, departmentId, apiKeyId, agentId, agentRunId, model, backend, node, device,
                promptTokens, completionTokens, outcome, latencyMs, timeToFirstTokenMs, energyJoules, energySource,
                acceleratorSeconds, tokensEstimated, nodeClass, energyGapSeconds, endUser, null);
    }

    public long totalTokens() {
        return promptTokens + completionTokens;
    }

    @Override
    public String subject() {
        return "department/" + departmentId;
    }
}
