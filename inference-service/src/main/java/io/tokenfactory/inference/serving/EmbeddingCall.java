package io.tokenfactory.inference.serving;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import io.tokenfactory.contracts.UsageOutcome;
import io.tokenfactory.inference.ModelSettings;
import io.tokenfactory.inference.energy.NodeEnergy;
import io.tokenfactory.inference.usage.FinishedRequest;
import io.tokenfactory.support.security.Caller;

import tools.jackson.databind.node.ObjectNode;

/**
 * A checked embeddings request.
 *
 * @param format {@code float} or {@code base64}
 * @param dimensions whether the client asked for a number of dimensions (only remote
 * models may support it)
 * @param body the request as sent, for remote models
 */
public record EmbeddingCall(String requestId, ModelSettings model, Caller caller, UUID agentRunId, List<String> inputs,
        String format, boolean dimensions, ObjectNode body) {

    /** The finished request the usage recorder is told, on the node that served it. */
    FinishedRequest finished(NodeEnergy node, String backend, long tokens, UsageOutcome outcome, Instant started,
            long startNanos, boolean estimated) {
        long elapsedMs = Duration.ofNanos(System.nanoTime() - startNanos).toMillis();
        return new FinishedRequest(requestId, caller, agentRunId, model.name(), backend, node.node(), node.nodeClass(),
                node.device(), tokens, 0, outcome, started, started.plusMillis(elapsedMs),
                outcome == UsageOutcome.COMPLETED ? elapsedMs : -1, estimated, OpenAiPayloads.endUser(body));
    }
}
