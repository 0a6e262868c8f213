package io.tokenfactory.inference.usage;

import java.time.Instant;
import java.util.UUID;

import io.tokenfactory.support.security.Caller;

/**
 * What is known of a request before its first token leaves: enough to bill it if the
 * process serving it dies.
 *
 * @param promptTokens as counted here (exact for local models; for remote ones the
 * model's tokenizer or an estimate, then {@code tokensEstimated})
 * @param endUser OpenAI's {@code user} of the request; null when not sent
 * @param deployment the deployment of the model serving it
 */
public record StartedRequest(String requestId, Caller caller, UUID agentRunId, String model, String backend,
        String node, String nodeClass, String device, long promptTokens, boolean tokensEstimated, Instant startedAt,
        String endUser, String deployment) {

    /** A request of a model with one deployment, named after it. */
    public StartedRequest(String requestId, Caller caller, UUID agentRunId, String model, String backend, String node,
            String nodeClass, String device, long promptTokens, boolean tokensEstimated, Instant startedAt,
            String endUser) {
        this(requestId, caller, agentRunId, model, backend, node, nodeClass, device, promptTokens, tokensEstimated,
                startedAt, endUser, model);
    }

    /** A request without an end user. */
    public StartedRequest(String requestId, Caller caller, UUID agentRunId, String model, String backend, String node,
            String nodeClass, String device, long promptTokens, boolean tokensEstimated, Instant startedAt) {
        this(requestId, caller, agentRunId, model, backend, node, nodeClass, device, promptTokens, tokensEstimated,
                startedAt, null);
    }

}
