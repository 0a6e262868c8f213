package io.tokenfactory.gateway.limits;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

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
            Long value = wholeNumber(request.get(field), field, 1, Integer.MAX_VALUE);
            if (value != null && maxTokens == null) {
                maxTokens = value;
            }
        }
        // one choice per request, as inference serves them; several would each use up to
        // max_tokens
        for (String field : new String[] { "n", "best_of" }) {
            Long choices = wholeNumber(request.get(field), field, 1, Integer.MAX_VALUE);
            if (choices != null && choices != 1) {
                throw new Invalid(field, "Only " + field + " = 1 is supported: one choice per request.");
            }
        }
        checkStops(request.get("stop"));
        JsonNode model = request.get("model");
        JsonNode stream = request.get("stream");
        // a model that is not a string names none; inference-service answers that with
        // its own 400
        return new InferenceRequestShape(model == null || !model.isString() ? null : model.asString(),
                stream != null && stream.asBoolean(false), prompt, maxTokens);
    }

    /**
     * A whole number within bounds, given as a JSON number or a numeric string (as
     * lenient servers accept); null when absent.
     */
    private static Long wholeNumber(JsonNode value, String field, long min, long max) {
        if (value == null || value.isNull()) {
            return null;
        }
        long number;
        if (value.isString()) {
            try {
                number = Long.parseLong(value.asString().trim());
            }
            catch (NumberFormatException notANumber) {
                throw new Invalid(field, "'" + field + "' must be a whole number from " + min + " to " + max + ".");
            }
        }
        else if (value.isIntegralNumber() && value.canConvertToLong()) {
            number = value.asLong();
        }
        else {
            throw new Invalid(field, "'" + field + "' must be a whole number from " + min + " to " + max + ".");
        }
        if (number < min || number > max) {
            throw new Invalid(field, "'" + field + "' must be a whole number from " + min + " to " + max + ".");
        }
        return number;
    }

    /**
     * {@code stop}: a string or up to four non-empty strings of at most 256 characters.
     */
    private static void checkStops(JsonNode stop) {
        if (stop == null || stop.isNull()) {
            return;
        }
        List<JsonNode> stops = new ArrayList<>();
        if (stop.isArray() && stop.size() <= 4) {
            stop.forEach(stops::add);
        }
        else {
            stops.add(stop);
        }
        for (JsonNode each : stops) {
            if (!each.isString() || each.asString().isEmpty() || each.asString().length() > 256) {
                throw new Invalid("stop", "'stop' must be a string or an array of up to 4 non-empty strings of at "
                        + "most 256 characters.");
            }
        }
    }

    /**
     * A field whose value no request may have: a 400 naming it, before anything is
     * reserved.
     */
    static final class Invalid extends RuntimeException {

        private final String param;

        Invalid(String param, String message) {
            super(message);
            this.param = param;
        }

        String param() {
            return param;
        }

    }

    /**
     * Tokens to reserve: the prompt estimate plus the completion limit (or the default
     * when none is given).
     */
    long reservation(long defaultCompletionTokens, boolean generates) {
        return promptTokenEstimate + completionReservation(defaultCompletionTokens, generates);
    }

    /** The most completion tokens the request may generate. */
    long completionReservation(long defaultCompletionTokens, boolean generates) {
        return generates ? (maxCompletionTokens == null ? defaultCompletionTokens : maxCompletionTokens) : 0;
    }
}
