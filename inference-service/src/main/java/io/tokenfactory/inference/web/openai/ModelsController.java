package io.tokenfactory.inference.web.openai;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.tokenfactory.inference.catalog.ModelCatalog;
import io.tokenfactory.inference.ModelSettings;
import io.tokenfactory.inference.serving.OpenAiException;

import io.swagger.v3.oas.annotations.Operation;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /v1/models}: OpenAI's model objects, plus what a caller needs to size a
 * request.
 */
@RestController
@RequestMapping("/v1/models")
class ModelsController {

    private final ModelCatalog catalog;

    private final long created;

    ModelsController(ModelCatalog catalog, Clock clock) {
        this.created = clock.instant().getEpochSecond();
        this.catalog = catalog;
    }

    @Operation(summary = "List the models (OpenAI-compatible)",
            description = "Through the gateway, only the models the calling key may use.")
    @GetMapping
    Map<String, Object> list() {
        List<Map<String, Object>> data = catalog.all().stream().map(this::model).toList();
        return Map.of("object", "list", "data", data);
    }

    @Operation(summary = "Describe one model (OpenAI-compatible)",
            description = "404 model_not_found for a model that does not exist or that the key may not use.")
    @GetMapping("/{name}")
    Map<String, Object> one(@PathVariable String name) {
        return model(catalog.find(name).orElseThrow(() -> OpenAiException.modelNotFound(name)));
    }

    private Map<String, Object> model(ModelSettings settings) {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("id", settings.name());
        model.put("object", "model");
        model.put("created", created);
        model.put("owned_by", "token-factory");
        model.put("task", settings.task().name().toLowerCase());
        model.put("backend", settings.backend().name().toLowerCase());
        model.put("device", settings.device());
        model.put("context_length", settings.contextLength());
        model.put("max_model_len", settings.contextLength());
        model.put("max_output_tokens", settings.maxOutputTokens());
        return model;
    }

}
