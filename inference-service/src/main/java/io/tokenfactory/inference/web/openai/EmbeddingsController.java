package io.tokenfactory.inference.web.openai;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.tokenfactory.inference.ModelSettings;
import io.tokenfactory.inference.ModelTask;
import io.tokenfactory.inference.catalog.ModelCatalog;
import io.tokenfactory.inference.serving.EmbeddingCall;
import io.tokenfactory.inference.serving.EmbeddingServing;
import io.tokenfactory.inference.serving.OpenAiException;
import io.tokenfactory.support.security.Caller;
import io.tokenfactory.support.tracing.Traces;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import tools.jackson.databind.JsonNode;

/**
 * {@code POST /v1/embeddings}: checks the request and hands it to
 * {@link EmbeddingServing}.
 */
@RestController
class EmbeddingsController {

    private static final int MAX_INPUTS = 2048;

    private final ModelCatalog catalog;

    private final EmbeddingServing serving;

    private final Traces traces;

    EmbeddingsController(ModelCatalog catalog, EmbeddingServing serving, Traces traces) {
        this.catalog = catalog;
        this.serving = serving;
        this.traces = traces;
    }

    @Operation(summary = "Create embeddings (OpenAI-compatible)",
            description = "OpenAI's embeddings API: model, input (a string or up to 2048 strings), "
                    + "encoding_format (float or base64), dimensions and user.",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
                    content = @Content(mediaType = "application/json",
                            examples = @ExampleObject(name = "embeddings",
                                    value = "{\"model\": \"all-minilm-l6-v2\", \"input\": [\"whale\", \"ship\"]}"))))
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
        Caller caller = Callers.chargeable();
        fields.endUser();
        String requestId = "emb-" + UUID.randomUUID().toString().replace("-", "");
        traces.tagCurrent(Traces.DEPARTMENT, caller.departmentId());
        traces.tagCurrent(Traces.MODEL, model.name());
        traces.tagCurrent(Traces.REQUEST, requestId);
        return serving.serve(new EmbeddingCall(requestId, model, caller, Callers.agentRunId(caller), inputs, format,
                fields.has("dimensions"), fields.body()));
    }

    private static List<String> inputs(JsonNode input) {
        if (input == null || input.isNull()) {
            throw OpenAiException.invalid("input", "missing_required_parameter",
                    "Missing required parameter: 'input'.");
        }
        List<String> inputs = new ArrayList<>();
        if (input.isString()) {
            inputs.add(input.asString());
        }
        else if (input.isArray() && !input.isEmpty() && input.size() <= MAX_INPUTS) {
            for (JsonNode item : input) {
                if (!item.isString()) {
                    throw OpenAiException.invalid("input",
                            "'input' must be a string or an array of strings " + "(token arrays are not supported).");
                }
                inputs.add(item.asString());
            }
        }
        else {
            throw OpenAiException.invalid("input",
                    "'input' must be a string or an array of 1 to " + MAX_INPUTS + " strings.");
        }
        if (inputs.stream().anyMatch(String::isEmpty)) {
            throw OpenAiException.invalid("input", "'input' must not contain empty strings.");
        }
        return inputs;
    }

}
