package io.tokenfactory.inference.web.openai;

import java.time.Clock;
import java.util.UUID;

import io.tokenfactory.inference.ModelSettings;
import io.tokenfactory.inference.ModelTask;
import io.tokenfactory.inference.catalog.ModelCatalog;
import io.tokenfactory.inference.serving.GenerationCall;
import io.tokenfactory.inference.serving.GenerationServing;
import io.tokenfactory.inference.serving.OpenAiException;
import io.tokenfactory.support.security.Caller;
import io.tokenfactory.support.tracing.Traces;

import org.springframework.http.MediaType;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import tools.jackson.databind.JsonNode;

/**
 * {@code POST /v1/chat/completions} and {@code POST /v1/completions}: checks the request
 * and hands it to {@link GenerationServing}, which serves it on a local or remote model.
 */
@RestController
@RequestMapping(path = "/v1", consumes = MediaType.APPLICATION_JSON_VALUE)
class GenerationController {

    static final String CHAT_EXAMPLE = """
            {"model": "byte-lm-moby", "max_tokens": 32, "user": "alice@research",
             "messages": [{"role": "user", "content": "Call me Ishmael."}]}""";

    static final String COMPLETION_EXAMPLE = """
            {"model": "byte-lm-moby", "prompt": "Call me", "max_tokens": 16}""";

    private final ModelCatalog catalog;

    private final GenerationServing serving;

    private final Clock clock;

    private final Traces traces;

    GenerationController(ModelCatalog catalog, GenerationServing serving, Clock clock, Traces traces) {
        this.clock = clock;
        this.traces = traces;
        this.catalog = catalog;
        this.serving = serving;
    }

    @Operation(summary = "Create a chat completion (OpenAI-compatible)",
            description = "OpenAI's chat completions API: model, messages, max_tokens or max_completion_tokens, "
                    + "temperature, top_p, seed, stop, stream (server-sent events) with stream_options.include_usage, "
                    + "and user (recorded with the usage). Charged to the key's department; an agent's key may name "
                    + "its run in X-Agent-Run-Id.",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
                    content = @Content(mediaType = "application/json",
                            examples = @ExampleObject(name = "chat", value = CHAT_EXAMPLE))),
            responses = @ApiResponse(responseCode = "200",
                    description = "A chat.completion, or with stream true a text/event-stream of chat.completion.chunk "
                            + "ending in [DONE]",
                    content = { @Content(mediaType = "application/json"), @Content(mediaType = "text/event-stream") }))
    @PostMapping("/chat/completions")
    Object chat(@RequestBody JsonNode body) {
        RequestFields fields = new RequestFields(body);
        ModelSettings model = model(fields);
        String prompt = ChatPrompt.of(fields.node("messages"));
        Integer maxTokens = fields.integer("max_completion_tokens", 1, Integer.MAX_VALUE);
        if (maxTokens == null) {
            maxTokens = fields.integer("max_tokens", 1, Integer.MAX_VALUE);
        }
        return serving.serve(call(GenerationCall.Kind.CHAT, "chatcmpl-", fields, model, prompt, maxTokens));
    }

    @Operation(summary = "Create a text completion (OpenAI-compatible, legacy)",
            description = "OpenAI's completions API: model, prompt (a string, or an array of exactly one), "
                    + "max_tokens, temperature, top_p, seed, stop, stream and user.",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
                    content = @Content(mediaType = "application/json",
                            examples = @ExampleObject(name = "completion", value = COMPLETION_EXAMPLE))))
    @PostMapping("/completions")
    Object completions(@RequestBody JsonNode body) {
        RequestFields fields = new RequestFields(body);
        ModelSettings model = model(fields);
        JsonNode promptNode = fields.node("prompt");
        String prompt;
        if (promptNode != null && promptNode.isString()) {
            prompt = promptNode.asString();
        }
        else if (promptNode != null && promptNode.isArray() && promptNode.size() == 1 && promptNode.get(0).isString()) {
            prompt = promptNode.get(0).asString();
        }
        else {
            throw OpenAiException.invalid("prompt", "'prompt' must be a string (or an array of exactly one string).");
        }
        if (prompt.isEmpty()) {
            throw OpenAiException.invalid("prompt", "'prompt' must not be empty.");
        }
        return serving.serve(call(GenerationCall.Kind.COMPLETION, "cmpl-", fields, model, prompt,
                fields.integer("max_tokens", 1, Integer.MAX_VALUE)));
    }

    private ModelSettings model(RequestFields fields) {
        String name = fields.requiredString("model");
        ModelSettings model = catalog.find(name).orElseThrow(() -> OpenAiException.modelNotFound(name));
        if (model.task() != ModelTask.GENERATION) {
            throw OpenAiException.invalid("model", "model_not_supported",
                    "The model '" + name + "' does not generate text; use /v1/embeddings.");
        }
        return model;
    }

    private GenerationCall call(GenerationCall.Kind kind, String idPrefix, RequestFields fields, ModelSettings model,
            String prompt, Integer maxTokens) {
        Integer n = fields.integer("n", 1, 128);
        if (n != null && n != 1) {
            throw OpenAiException.invalid("n", "Only n = 1 is supported.");
        }
        boolean stream = fields.bool("stream", false);
        boolean includeUsage = false;
        JsonNode options = fields.node("stream_options");
        if (options != null && !options.isNull()) {
            if (!options.isObject() || (options.has("include_usage") && !options.get("include_usage").isBoolean())
                    || (options.has("continuous_usage_stats") && !options.get("continuous_usage_stats").isBoolean())) {
                throw OpenAiException.invalid("stream_options",
                        "'stream_options' must be an object with a boolean include_usage (and continuous_usage_stats).");
            }
            if (!stream) {
                throw OpenAiException.invalid("stream_options",
                        "'stream_options' is only allowed when 'stream' is true.");
            }
            includeUsage = options.path("include_usage").asBoolean(false);
        }
        Caller caller = Callers.chargeable();
        fields.endUser();
        String requestId = idPrefix + UUID.randomUUID().toString().replace("-", "");
        traces.tagCurrent(Traces.DEPARTMENT, caller.departmentId());
        traces.tagCurrent(Traces.MODEL, model.name());
        traces.tagCurrent(Traces.REQUEST, requestId);
        return new GenerationCall(kind, requestId, clock.instant().getEpochSecond(), model, caller,
                Callers.agentRunId(caller), prompt, maxTokens, fields.number("temperature", 1.0, 0, 2, false),
                fields.number("top_p", 1.0, 0, 1, true), fields.longValue("seed"), fields.stops(), stream, includeUsage,
                fields.body());
    }

}
