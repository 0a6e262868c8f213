package io.tokenfactory.inference.usage;

import java.time.Instant;
import java.util.UUID;

import io.tokenfactory.contracts.UsageOutcome;
import io.tokenfactory.support.security.Caller;

/**
 * What the serving path knows of one request once it has ended (completed, cancelled or
 * failed): the one value its request-log row is written from, and, with its settled
 * energy, its {@code usage-recorded} event.
 *
 * @param caller the verified caller it is charged to
 * @param agentRunId null unless part of an agent run
 * @param node the node that served it; {@code nodeClass} its class for capacity rates
 * (may be null)
 * @param device what the node's meter measures, for example {@code gpu0,gpu1}
 * @param timeToFirstTokenMs -1 when no token was produced
 * @param tokensEstimated the backend reported no token counts and they were counted here
 * @param endUser OpenAI's {@code user} of the request; null when not sent
 * @param deployment the deployment of the model that served it
 * @param queuedMs how long it waited for a free slot on its server; 0 when it did not
 * wait or the wait is part of the engine's own
 */
public record FinishedRequest(String requestId, Caller caller, UUID agentRunId, String model, String backend,
        String node, String nodeClass, String device, long promptTokens, long completionTokens, UsageOutcome outcome,
        Instant startedAt, Instant completedAt, long timeToFirstTokenMs, boolean tokensEstimated, String endUser,
        String deployment, long queuedMs) {

    /** A request of a model with one deployment, named after it, that did not queue. */
    public FinishedRequest(String requestId, Caller caller, UUID agentRunId, String model, String backend, String node,
            String nodeClass, String device, long promptTokens, long completionTokens, UsageOutcome outcome,
            Instant startedAt, Instant completedAt, long timeToFirstTokenMs, boolean tokensEstimated, String endUser) {
        this(requestId, caller, agentRunId, model, backend, node, nodeClass, device, promptTokens, completionTokens,
                outcome, startedAt, completedAt, timeToFirstTokenMs, tokensEstimated, endUser, model, 0);
    }

    /** A request without an end user. */
    public FinishedRequest(String requestId, Caller caller, UUID agentRunId, String model, String backend, String node,
            String nodeClass, String device, long promptTokens, long completionTokens, UsageOutcome outcome,
            Instant startedAt, Instant completedAt, long timeToFirstTokenMs, boolean tokensEstimated) {
        this(requestId, caller, agentRunId, model, backend, node, nodeClass, device, promptTokens, completionTokens,
                outcome, startedAt, completedAt, timeToFirstTokenMs, tokensEstimated, null);
    }

}
