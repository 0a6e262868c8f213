package io.tokenfactory.inference.serving;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import ai.djl.huggingface.tokenizers.Encoding;

import io.tokenfactory.contracts.UsageOutcome;
import io.tokenfactory.inference.ModelSettings;
import io.tokenfactory.inference.embedding.EmbeddingModel;
import io.tokenfactory.inference.embedding.EmbeddingModels;
import io.tokenfactory.inference.energy.NodeEnergies;
import io.tokenfactory.inference.energy.NodeEnergy;
import io.tokenfactory.inference.energy.Work;
import io.tokenfactory.inference.generation.EngineBusyException;
import io.tokenfactory.inference.remote.RemoteBackend;
import io.tokenfactory.inference.remote.RemoteBackends;
import io.tokenfactory.inference.usage.FinishedRequest;
import io.tokenfactory.inference.usage.UsageRecorder;
import io.tokenfactory.support.security.Caller;

import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Serves a checked embeddings request: on a local ONNX model (its tokens told to the node's ledger as each batch
 * runs), or passed through to a remote server; either way the usage is recorded before the response is sent.
 */
@Component
public class EmbeddingServing {

    /**
     * A checked embeddings request.
     *
     * @param format     {@code float} or {@code base64}
     * @param dimensions whether the client asked for a number of dimensions (only remote models may support it)
     * @param body       the request as sent, for remote models
     */
    public record EmbeddingCall(String requestId, ModelSettings model, Caller caller, UUID agentRunId,
            List<String> inputs, String format, boolean dimensions, ObjectNode body) {
    }

    private final EmbeddingModels models;
    private final RemoteBackends remotes;
    private final UsageRecorder usage;
    private final NodeEnergies nodes;
    private final JsonMapper json;
    private final Clock clock = Clock.systemUTC();

    EmbeddingServing(EmbeddingModels models, RemoteBackends remotes, UsageRecorder usage, NodeEnergies nodes,
            JsonMapper json) {
        this.models = models;
        this.remotes = remotes;
        this.usage = usage;
        this.nodes = nodes;
        this.json = json;
    }

    public ResponseEntity<?> serve(EmbeddingCall call) {
        EmbeddingModel local = models.find(call.model().name()).orElse(null);
        if (local == null) {
            return remote(call);
        }
        if (call.dimensions()) {
            throw OpenAiException.invalid("dimensions", "This model does not support choosing 'dimensions'.");
        }
        List<Encoding> encodings = local.tokenize(call.inputs());
        long tokens = 0;
        for (int i = 0; i < encodings.size(); i++) {
            int length = encodings.get(i).getIds().length;
            if (length > local.contextLength()) {
                throw OpenAiException.invalid("input", "context_length_exceeded", "This model's maximum context length is "
                        + local.contextLength() + " tokens, but input " + i + " has " + length + " tokens.");
            }
            tokens += length;
        }
        NodeEnergy node = nodes.local();
        Instant started = clock.instant();
        long startNanos = System.nanoTime();
        Work work = node.start(true);
        float[][] vectors;
        try {
            vectors = local.embed(encodings, work);
        } catch (RuntimeException failed) {
            if (failed instanceof EngineBusyException && work.withdraw()) {
                throw failed;
            }
            // the energy it drew is still charged
            usage.record(finished(call, node, "djl", tokens, UsageOutcome.FAILED, started, startNanos, false),
                    work.finish(0));
            throw failed;
        }
        boolean recorded = usage.record(finished(call, node, "djl", tokens, UsageOutcome.COMPLETED, started, startNanos,
                false), work.finish(0));
        if (!recorded) {
            throw OpenAiException.usageUnrecorded();
        }
        List<Map<String, Object>> data = new ArrayList<>(vectors.length);
        for (int i = 0; i < vectors.length; i++) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("object", "embedding");
            item.put("index", i);
            item.put("embedding", call.format().equals("base64") ? base64(vectors[i]) : vectors[i]);
            data.add(item);
        }
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("object", "list");
        response.put("data", data);
        response.put("model", call.model().name());
        response.put("usage", Map.of("prompt_tokens", tokens, "total_tokens", tokens));
        return ResponseEntity.ok(response);
    }

    private ResponseEntity<?> remote(EmbeddingCall call) {
        ModelSettings model = call.model();
        RemoteBackend backend = remotes.find(model.name()).orElseThrow(() -> OpenAiException.modelNotFound(model.name()));
        ObjectNode upstream = call.body().deepCopy();
        upstream.put("model", backend.upstreamModel());
        NodeEnergy node = nodes.forRemote(model);
        Instant started = clock.instant();
        long startNanos = System.nanoTime();
        long estimate = call.inputs().stream().mapToLong(backend::countTokens).sum();
        Work work = node.start(false);
        work.tokens(estimate);
        JsonNode response;
        int status;
        try {
            RemoteBackend.Exchange exchange = backend.post("/embeddings", json.writeValueAsString(upstream));
            status = exchange.status();
            try (InputStream in = exchange.body()) {
                response = json.readTree(in.readNBytes(64 * 1024 * 1024));
            }
        } catch (IOException | RuntimeException e) {
            failed(call, backend, node, work, started, startNanos);
            throw OpenAiException.unavailable("upstream_unavailable", "The model server for '" + model.name()
                    + "' is unavailable.");
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
        boolean recorded = usage.record(finished(call, node, "remote", tokens, UsageOutcome.COMPLETED, started,
                startNanos, !reported.isIntegralNumber()), work.finish(0));
        if (!recorded) {
            throw OpenAiException.usageUnrecorded();
        }
        return ResponseEntity.ok(object);
    }

    /** An upstream failure: withdrawn if it never held the node's time, else recorded as failed with its share. */
    private void failed(EmbeddingCall call, RemoteBackend backend, NodeEnergy node, Work work, Instant started,
            long startNanos) {
        usage.recordUnlessWithdrawn(work, () -> finished(call, node, "remote", 0, UsageOutcome.FAILED, started,
                startNanos, !backend.countsExactly()));
    }

    private FinishedRequest finished(EmbeddingCall call, NodeEnergy node, String backend, long tokens,
            UsageOutcome outcome, Instant started, long startNanos, boolean estimated) {
        long elapsedMs = Duration.ofNanos(System.nanoTime() - startNanos).toMillis();
        return new FinishedRequest(call.requestId(), call.caller(), call.agentRunId(), call.model().name(), backend,
                node.node(), node.nodeClass(), node.device(), tokens, 0, outcome, started, started.plusMillis(elapsedMs),
                outcome == UsageOutcome.COMPLETED ? elapsedMs : -1, estimated);
    }

    private static String base64(float[] vector) {
        ByteBuffer bytes = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (float value : vector) {
            bytes.putFloat(value);
        }
        return Base64.getEncoder().encodeToString(bytes.array());
    }
}
