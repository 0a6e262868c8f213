package io.tokenfactory.inference.serving;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import ai.djl.huggingface.tokenizers.Encoding;

import io.tokenfactory.contracts.UsageOutcome;
import io.tokenfactory.inference.embedding.EmbeddingModel;
import io.tokenfactory.inference.energy.NodeEnergies;
import io.tokenfactory.inference.energy.NodeEnergy;
import io.tokenfactory.inference.energy.Work;
import io.tokenfactory.inference.generation.EngineBusyException;
import io.tokenfactory.inference.usage.UsageRecorder;

import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;

/**
 * Embeddings on a local ONNX model: its tokens told to the node's ledger as each batch
 * runs, the usage recorded before the response is sent.
 */
@Component
class LocalEmbedding {

    private final UsageRecorder usage;

    private final NodeEnergies nodes;

    private final Clock clock;

    LocalEmbedding(UsageRecorder usage, NodeEnergies nodes, Clock clock) {
        this.usage = usage;
        this.nodes = nodes;
        this.clock = clock;
    }

    ResponseEntity<?> serve(EmbeddingCall call, EmbeddingModel local) {
        if (call.dimensions()) {
            throw OpenAiException.invalid("dimensions", "This model does not support choosing 'dimensions'.");
        }
        List<Encoding> encodings = local.tokenize(call.inputs());
        long tokens = 0;
        for (int i = 0; i < encodings.size(); i++) {
            int length = encodings.get(i).getIds().length;
            if (length > local.contextLength()) {
                throw OpenAiException.invalid("input", "context_length_exceeded",
                        "This model's maximum context length is " + local.contextLength() + " tokens, but input " + i
                                + " has " + length + " tokens.");
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
        }
        catch (RuntimeException failed) {
            if (failed instanceof EngineBusyException && work.withdraw()) {
                throw failed;
            }
            // the energy it drew is still charged
            usage.record(call.finished(node, "djl", tokens, UsageOutcome.FAILED, started, startNanos, false),
                    work.finish(0));
            throw failed;
        }
        boolean recorded = usage.record(
                call.finished(node, "djl", tokens, UsageOutcome.COMPLETED, started, startNanos, false), work.finish(0));
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

    private static String base64(float[] vector) {
        ByteBuffer bytes = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (float value : vector) {
            bytes.putFloat(value);
        }
        return Base64.getEncoder().encodeToString(bytes.array());
    }

}
