package io.tokenfactory.inference.serving;

import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;

import io.tokenfactory.contracts.UsageOutcome;
import io.tokenfactory.inference.ModelSettings;
import io.tokenfactory.inference.energy.NodeEnergies;
import io.tokenfactory.inference.energy.NodeEnergy;
import io.tokenfactory.inference.energy.Work;
import io.tokenfactory.inference.fairshare.ConcurrencyLimit;
import io.tokenfactory.inference.fairshare.Requester;
import io.tokenfactory.inference.remote.RemoteModelClient;
import io.tokenfactory.inference.usage.UsageRecorder;
import io.tokenfactory.support.tracing.Traces;

import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Embeddings passed through to a remote OpenAI-compatible server: its usage taken when it
 * reports one (else counted with the model's tokenizer and marked estimated), its node's
 * energy shared by the work reported, the usage recorded before the response is sent.
 */
@Component
class RemoteEmbedding {

    private final UsageRecorder usage;

    private final NodeEnergies nodes;

    private final JsonMapper json;

    private final Clock clock;

    private final Traces traces;

    RemoteEmbedding(UsageRecorder usage, NodeEnergies nodes, JsonMapper json, Clock clock, Traces traces) {
        this.traces = traces;
        this.usage = usage;
        this.nodes = nodes;
        this.json = json;
        this.clock = clock;
    }

    ResponseEntity<?> serve(EmbeddingCall call, RemoteModelClient backend) {
        ModelSettings model = call.model();
        ObjectNode upstream = call.body().deepCopy();
        upstream.put("model", backend.upstreamModel());
        NodeEnergy node = nodes.forRemote(backend.remote());
        Instant started = clock.instant();
        long startNanos = System.nanoTime();
        long estimate = call.inputs().stream().mapToLong(backend::countTokens).sum();
        JsonNode response;
        int status;
        Work work;
        // a slot on the server, in fair order, before any of its work starts
        try (ConcurrencyLimit.Permit slot = backend.admit(Requester.of(call.caller()), estimate)) {
            work = node.start(false);
            work.tokens(estimate);
            try {
                RemoteModelClient.Exchange exchange = backend.post("/embeddings", json.writeValueAsString(upstream),
                        traces.currentTraceparent());
                status = exchange.status();
                try (InputStream in = exchange.body()) {
                    response = json.readTree(in.readNBytes(64 * 1024 * 1024));
                }
            }
            catch (IOException | RuntimeException e) {
                failed(call, backend, node, work, started, startNanos);
                throw OpenAiException.unavailable("upstream_unavailable",
                        "The model server for '" + model.name() + "' is unavailable.");
            }
        }
        if (status >= 400 && response != null && response.has("error")) {
            failed(call, backend, node, work, started, startNanos);
            return ResponseEntity.status(status).body(response);
        }
        if (!(response instanceof ObjectNode object) || status >= 400) {
            failed(call, backend, node, work, started, startNanos);
            throw OpenAiException.upstreamInvalidResponse();
        }
        object.put("model", model.name());
        JsonNode reported = object.path("usage").path("prompt_tokens");
        long tokens = reported.isIntegralNumber() ? reported.asLong() : estimate;
        boolean recorded = usage.record(call.finished(node, "remote", tokens, UsageOutcome.COMPLETED, started,
                startNanos, !reported.isIntegralNumber()), work.finish(0));
        if (!recorded) {
            throw OpenAiException.usageUnrecorded();
        }
        return ResponseEntity.ok(object);
    }

    /**
     * An upstream failure: withdrawn if it never held the node's time, else recorded as
     * failed with its share.
     */
    private void failed(EmbeddingCall call, RemoteModelClient backend, NodeEnergy node, Work work, Instant started,
            long startNanos) {
        usage.recordUnlessWithdrawn(work, () -> call.finished(node, "remote", 0, UsageOutcome.FAILED, started,
                startNanos, !backend.countsExactly()));
    }

}
