package io.tokenfactory.inference.web.openai;

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


import io.tokenfactory.contracts.EnergySource;
import io.tokenfactory.contracts.UsageOutcome;
import io.tokenfactory.inference.catalog.ModelCatalog;
import io.tokenfactory.inference.ModelSettings;
import io.tokenfactory.inference.ModelTask;
import io.tokenfactory.inference.embedding.EmbeddingModel;
import io.tokenfactory.inference.embedding.EmbeddingModels;
import io.tokenfactory.inference.energy.EnergyLedger;
import io.tokenfactory.inference.generation.EngineBusyException;
import io.tokenfactory.inference.remote.RemoteBackend;
import io.tokenfactory.inference.remote.RemoteBackends;
import io.tokenfactory.support.security.Caller;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** {@code POST /v1/embeddings}: one string or an array of strings, as float arrays or base64. */
@RestController
class EmbeddingsController {

    private static final int MAX_INPUTS = 2048;

    private final ModelCatalog catalog;
    private final EmbeddingModels models;
    private final RemoteBackends remotes;
    private final UsageWriter usage;
    private final EnergyLedger ledger;
    private final JsonMapper json;
    private final Clock clock = Clock.systemUTC();

    EmbeddingsController(ModelCatalog catalog, EmbeddingModels models, RemoteBackends remotes, UsageWriter usage,
            EnergyLedger ledger, JsonMapper json) {
        this.catalog = catalog;
        this.models = models;
        this.remotes = remotes;
        this.usage = usage;
        this.ledger = ledger;
        this.json = json;
    }

    @PostMapping(path = "/v1/embeddings", consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<?> embeddings(@RequestBody JsonNode body) {
        RequestFields fields = new RequestFields(body);
        String name = fields.requiredString("model");
        ModelSettings model = catalog.find(name).orElseThrow(() -> OpenAiException.modelNotFound(name));
        if (model.task() != ModelTask.EMBEDDING) {
            throw OpenAiException.invalid("model", "model_not_supported",
                    "The model '" + name + "' does not produce embeddings.");
        }
        List<String> inputs = inputs(fields.node("input"));
        String format = fields.has("encoding_format") ? fields.requiredString("encoding_format") : "float";
        if (!format.equals("float") && !format.equals("base64")) {
            throw OpenAiException.invalid("encoding_format", "'encoding_format' must be 'float' or 'base64'.");
        }
        Caller caller = OpenAiException.chargeableCaller();
        UUID agentRunId = OpenAiException.agentRunId(caller);
        String requestId = "emb-" + UUID.randomUUID().toString().replace("-", "");
        EmbeddingModel local = models.find(name).orElse(null);
        if (local == null) {
            return remote(fields.body(), model, caller, agentRunId, requestId);
        }
        if (fields.has("dimensions")) {
            throw OpenAiException.invalid("dimensions", "This model does not support choosing 'dimensions'.");
        }
        List<Encoding> encodings = local.tokenize(inputs);
        long tokens = 0;
        for (int i = 0; i < encodings.size(); i++) {
            int length = encodings.get(i).getIds().length;
            if (length > local.contextLength()) {
                throw OpenAiException.invalid("input", "context_length_exceeded", "This model's maximum context length is "
                        + local.contextLength() + " tokens, but input " + i + " has " + length + " tokens.");
            }
            tokens += length;
        }
        Instant started = clock.instant();
        long startNanos = System.nanoTime();
        EnergyShare energy = new EnergyShare();
        float[][] vectors;
        try {
            vectors = local.embed(encodings, energy);
        } catch (RuntimeException failed) {
            if (!(failed instanceof EngineBusyException)) {
                // the energy it drew is still charged
                long failedMs = Duration.ofNanos(System.nanoTime() - startNanos).toMillis();
                usage.recordNow(new UsageWriter.Usage(requestId, name, caller, agentRunId, "djl", ledger.device(), tokens, 0,
                        UsageOutcome.FAILED, started, started.plusMillis(failedMs), failedMs, energy.joules,
                        ledger.source(), energy.seconds, false));
            }
            throw failed;
        }
        long elapsedMs = Duration.ofNanos(System.nanoTime() - startNanos).toMillis();
        boolean recorded = usage.recordNow(new UsageWriter.Usage(requestId, name, caller, agentRunId, "djl", ledger.device(), tokens,
                0, UsageOutcome.COMPLETED, started, started.plusMillis(elapsedMs), elapsedMs, energy.joules,
                ledger.source(), energy.seconds, false));
        if (!recorded) {
            throw OpenAiException.usageUnrecorded();
        }
        List<Map<String, Object>> data = new ArrayList<>(vectors.length);
        for (int i = 0; i < vectors.length; i++) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("object", "embedding");
            item.put("index", i);
            item.put("embedding", format.equals("base64") ? base64(vectors[i]) : vectors[i]);
            data.add(item);
        }
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("object", "list");
        response.put("data", data);
        response.put("model", name);
        response.put("usage", Map.of("prompt_tokens", tokens, "total_tokens", tokens));
        return ResponseEntity.ok(response);
    }

    private static List<String> inputs(JsonNode input) {
        if (input == null || input.isNull()) {
            throw OpenAiException.invalid("input", "missing_required_parameter", "Missing required parameter: 'input'.");
        }
        List<String> inputs = new ArrayList<>();
        if (input.isString()) {
            inputs.add(input.asString());
        } else if (input.isArray() && !input.isEmpty() && input.size() <= MAX_INPUTS) {
            for (JsonNode item : input) {
                if (!item.isString()) {
                    throw OpenAiException.invalid("input", "'input' must be a string or an array of strings "
                            + "(token arrays are not supported).");
                }
                inputs.add(item.asString());
            }
        } else {
            throw OpenAiException.invalid("input", "'input' must be a string or an array of 1 to " + MAX_INPUTS + " strings.");
        }
        if (inputs.stream().anyMatch(String::isEmpty)) {
            throw OpenAiException.invalid("input", "'input' must not contain empty strings.");
        }
        return inputs;
    }

    private static String base64(float[] vector) {
        ByteBuffer bytes = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (float value : vector) {
            bytes.putFloat(value);
        }
        return Base64.getEncoder().encodeToString(bytes.array());
    }

    private ResponseEntity<?> remote(ObjectNode body, ModelSettings model, Caller caller, UUID agentRunId, String requestId) {
        RemoteBackend backend = remotes.find(model.name()).orElseThrow(() -> OpenAiException.modelNotFound(model.name()));
        ObjectNode upstream = body.deepCopy();
        upstream.put("model", backend.upstreamModel());
        Instant started = clock.instant();
        long startNanos = System.nanoTime();
        JsonNode response;
        int status;
        try {
            RemoteBackend.Exchange exchange = backend.post("/embeddings", json.writeValueAsString(upstream));
            status = exchange.status();
            try (InputStream in = exchange.body()) {
                response = json.readTree(in.readNBytes(64 * 1024 * 1024));
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof OpenAiException openAi) {
                throw openAi;
            }
            throw OpenAiException.unavailable("upstream_unavailable", "The model server for '" + model.name()
                    + "' is unavailable.");
        }
        if (status >= 400 && response != null && response.has("error")) {
            return ResponseEntity.status(status).body(response);
        }
        if (!(response instanceof ObjectNode object) || status >= 400) {
            throw OpenAiException.upstreamInvalidResponse();
        }
        object.put("model", model.name());
        long elapsedMs = Duration.ofNanos(System.nanoTime() - startNanos).toMillis();
        JsonNode reported = object.path("usage").path("prompt_tokens");
        long tokens = reported.isIntegralNumber() ? reported.asLong() : RemoteGeneration.estimate(body.path("input").toString());
        boolean recorded = usage.recordNow(new UsageWriter.Usage(requestId, model.name(), caller, agentRunId, "remote",
                backend.host(), tokens, 0, UsageOutcome.COMPLETED, started, started.plusMillis(elapsedMs), elapsedMs, 0,
                EnergySource.NONE, 0, !reported.isIntegralNumber()));
        if (!recorded) {
            throw OpenAiException.usageUnrecorded();
        }
        return ResponseEntity.ok(object);
    }

    /** Collects the energy the ledger assigns to one embedding request. */
    private static final class EnergyShare implements EnergyLedger.Consumer {
        private double joules;
        private double seconds;

        @Override
        public synchronized void addEnergy(double addedJoules, double deviceSeconds) {
            joules += addedJoules;
            seconds += deviceSeconds;
        }
    }
}
