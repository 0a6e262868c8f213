package io.tokenfactory.gateway.limits;

import java.nio.charset.StandardCharsets;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the gateway needs to know of an OpenAI-style request before forwarding it: the
 * model, whether it streams, and the most tokens it can use. The prompt estimate counts
 * UTF-8 bytes, an upper bound for byte-level and BPE tokenizers alike, so a reservation
 * is rarely smaller than the actual usage.
 */
record InferenceRequestShape(String model, boolean stream, long promptTokenEstimate, Long maxCompletionTokens) {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * @return null when the body is not a JSON object (the service behind answers the
     * error)
     */
    static InferenceRequestShape parse(byte[] body) {
        JsonNode request;
        try {
            request = JSON.readTree(body);
        }
        catch (JacksonException notJson) {
            return null;
        }
        if (request == null || !request.isObject()) {
            return null;
        }
        long prompt = 0;
        for (String field : new String[] { "messages", "prompt", "input" }) {
            JsonNode value = request.get(field);
            if (value != null && !value.isNull()) {
                prompt += value.toString().getBytes(StandardCharsets.UTF_8).length;
            }
        }
        Long maxTokens = null;
        for (String field : new String[] { "max_completion_tokens", "max_tokens" }) {
            long value = positiveNumber(request.get(field));
            if (value > 0) {
                maxTokens = value;
                break;
            }
        }
        // several choices (n, best_of) each use up to max_tokens
        long choices = Math.max(1, Math.max(positiveNumber(request.get("n")), positiveNumber(request.get("best_of"))));
        if (maxTokens != null) {
            // saturating: an absurd request is refused by the limits (or by inference),
            // never a 500 here
            maxTokens = maxTokens > Long.MAX_VALUE / choices ? Long.MAX_VALUE : maxTokens * choices;
        }
        JsonNode model = request.get("model");
        JsonNode stream = request.get("stream");
        // a model that is not a string names none; inference-service answers that with
        // its own 400
        return new InferenceRequestShape(model == null || !model.isString() ? null : model.asString(),
                stream != null && stream.asBoolean(false), prompt, maxTokens);
    }

    /**
     * A positive whole number given as a JSON number or a numeric string (as lenient
     * servers accept), else 0.
     */
    private static long positiveNumber(JsonNode value) {
        if (value == null || value.isNull()) {
            return 0;
        }
        if (value.isString()) {
            try {
                return Math.max(0, Long.parseLong(value.asString().trim()));
            }
            catch (NumberFormatException notANumber) {
                return 0;
            }
        }
        return value.canConvertToLong() ? Math.max(0, value.asLong()) : 0;
    }

    /**
     * Tokens to reserve: the prompt estimate plus the completion limit (or the default
     * when none is given).
     */
    long reservation(long defaultCompletionTokens, boolean generates) {
        return promptTokenEstimate
                + (generates ? (maxCompletionTokens == null ? defaultCompletionTokens : maxCompletionTokens) : 0);
    }
}
