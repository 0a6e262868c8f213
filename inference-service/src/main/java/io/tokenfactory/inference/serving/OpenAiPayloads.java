package io.tokenfactory.inference.serving;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The response bodies and stream chunks of the OpenAI API, as plain maps for the JSON
 * mapper.
 */
final class OpenAiPayloads {

    private OpenAiPayloads() {
    }

    /** The request's {@code user} (checked at the edge); null when absent. */
    static String endUser(ObjectNode body) {
        JsonNode user = body == null ? null : body.get("user");
        return user != null && user.isString() ? user.asString() : null;
    }

    static Map<String, Object> usage(long prompt, long completion) {
        Map<String, Object> usage = new LinkedHashMap<>();
        usage.put("prompt_tokens", prompt);
        usage.put("completion_tokens", completion);
        usage.put("total_tokens", prompt + completion);
        return usage;
    }

    static Map<String, Object> completion(GenerationCall call, String modelName, String text, String finishReason,
            Map<String, Object> usage) {
        Map<String, Object> choice = new LinkedHashMap<>();
        choice.put("index", 0);
        if (call.kind() == GenerationCall.Kind.CHAT) {
            Map<String, Object> message = new LinkedHashMap<>();
            message.put("role", "assistant");
            message.put("content", text);
            message.put("refusal", null);
            choice.put("message", message);
        }
        else {
            choice.put("text", text);
        }
        choice.put("logprobs", null);
        choice.put("finish_reason", finishReason);
        Map<String, Object> body = envelope(call, modelName, call.kind().object);
        body.put("choices", List.of(choice));
        body.put("usage", usage);
        return body;
    }

    /**
     * A content chunk; {@code text} null with {@code first} gives the opening chunk that
     * names the role. {@code usageSoFar}: with continuous usage stats, the usage
     * including this chunk (else ignored).
     */
    static Map<String, Object> chunk(GenerationCall call, String modelName, String text, boolean first,
            String finishReason, Map<String, Object> usageSoFar) {
        Map<String, Object> choice = new LinkedHashMap<>();
        choice.put("index", 0);
        if (call.kind() == GenerationCall.Kind.CHAT) {
            Map<String, Object> delta = new LinkedHashMap<>();
            if (first) {
                delta.put("role", "assistant");
            }
            if (text != null) {
                delta.put("content", text);
            }
            else if (first) {
                delta.put("content", "");
            }
            choice.put("delta", delta);
        }
        else {
            choice.put("text", text == null ? "" : text);
        }
        choice.put("logprobs", null);
        choice.put("finish_reason", finishReason);
        Map<String, Object> body = envelope(call, modelName, call.kind().chunkObject);
        body.put("choices", List.of(choice));
        if (call.includeUsage()) {
            body.put("usage", call.continuousUsage() ? usageSoFar : null);
        }
        return body;
    }

    /**
     * The last chunk when {@code stream_options.include_usage} is set: no choices, only
     * usage.
     */
    static Map<String, Object> usageChunk(GenerationCall call, String modelName, Map<String, Object> usage) {
        Map<String, Object> body = envelope(call, modelName, call.kind().chunkObject);
        body.put("choices", new ArrayList<>());
        body.put("usage", usage);
        return body;
    }

    private static Map<String, Object> envelope(GenerationCall call, String modelName, String object) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", call.requestId());
        body.put("object", object);
        body.put("created", call.created());
        body.put("model", modelName);
        body.put("system_fingerprint", null);
        return body;
    }

}
