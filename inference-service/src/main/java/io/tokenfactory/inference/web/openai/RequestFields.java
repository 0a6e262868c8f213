package io.tokenfactory.inference.web.openai;

import java.util.ArrayList;
import java.util.List;

import io.tokenfactory.inference.serving.OpenAiException;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Typed reads of an OpenAI request body, each failure naming its parameter. */
final class RequestFields {

    /** As long as the request log's column. */
    static final int END_USER_LENGTH = 256;

    private final ObjectNode body;

    RequestFields(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw OpenAiException.invalid(null, "invalid_json", "The request body must be a JSON object.");
        }
        this.body = (ObjectNode) body;
    }

    ObjectNode body() {
        return body;
    }

    boolean has(String name) {
        JsonNode node = body.get(name);
        return node != null && !node.isNull();
    }

    JsonNode node(String name) {
        return body.get(name);
    }

    String requiredString(String name) {
        JsonNode node = body.get(name);
        if (node == null || node.isNull()) {
            throw OpenAiException.invalid(name, "missing_required_parameter",
                    "Missing required parameter: '" + name + "'.");
        }
        if (!node.isString() || node.asString().isBlank()) {
            throw OpenAiException.invalid(name, "'" + name + "' must be a non-empty string.");
        }
        return node.asString();
    }

    /**
     * OpenAI's {@code user}: the client's own end user (an id, not a secret), recorded
     * with the usage so a department can see who its tokens went to; null when absent.
     */
    String endUser() {
        JsonNode node = body.get("user");
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isString() || node.asString().isBlank() || node.asString().length() > END_USER_LENGTH) {
            throw OpenAiException.invalid("user",
                    "'user' must be a non-empty string of at most " + END_USER_LENGTH + " characters.");
        }
        return node.asString();
    }

    boolean bool(String name, boolean fallback) {
        JsonNode node = body.get(name);
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isBoolean()) {
            throw OpenAiException.invalid(name, "'" + name + "' must be a boolean.");
        }
        return node.asBoolean();
    }

    Integer integer(String name, int min, int max) {
        JsonNode node = body.get(name);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.asInt() < min || node.asInt() > max) {
            throw OpenAiException.invalid(name, "'" + name + "' must be an integer from " + min + " to " + max + ".");
        }
        return node.asInt();
    }

    Long longValue(String name) {
        JsonNode node = body.get(name);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw OpenAiException.invalid(name, "'" + name + "' must be an integer.");
        }
        return node.asLong();
    }

    double number(String name, double fallback, double min, double max, boolean minExclusive) {
        JsonNode node = body.get(name);
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isNumber() || !Double.isFinite(node.asDouble()) || node.asDouble() > max
                || (minExclusive ? node.asDouble() <= min : node.asDouble() < min)) {
            throw OpenAiException.invalid(name, "'" + name + "' must be a number " + (minExclusive ? "above " : "from ")
                    + min + (minExclusive ? " up to " : " to ") + max + ".");
        }
        return node.asDouble();
    }

    /** {@code stop}: a string or up to four strings. */
    List<String> stops() {
        JsonNode node = body.get("stop");
        if (node == null || node.isNull()) {
            return List.of();
        }
        List<String> stops = new ArrayList<>();
        if (node.isString()) {
            stops.add(node.asString());
        }
        else if (node.isArray() && node.size() <= 4) {
            for (JsonNode stop : node) {
                if (!stop.isString()) {
                    throw OpenAiException.invalid("stop", "'stop' must be a string or an array of up to 4 strings.");
                }
                stops.add(stop.asString());
            }
        }
        else {
            throw OpenAiException.invalid("stop", "'stop' must be a string or an array of up to 4 strings.");
        }
        if (stops.stream().anyMatch(String::isEmpty)) {
            throw OpenAiException.invalid("stop", "Stop sequences must not be empty.");
        }
        return stops;
    }

    /**
     * The text of a message's {@code content}: a string, or an array of {@code {"type":
     * "text", "text": ...}} parts.
     */
    static String contentText(JsonNode content, String param) {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isString()) {
            return content.asString();
        }
        if (content.isArray()) {
            StringBuilder text = new StringBuilder();
            for (JsonNode part : content) {
                JsonNode type = part.get("type");
                JsonNode value = part.get("text");
                if (type == null || !"text".equals(type.asString()) || value == null || !value.isString()) {
                    throw OpenAiException.invalid(param, "Only text content parts are supported by this model.");
                }
                text.append(value.asString());
            }
            return text.toString();
        }
        throw OpenAiException.invalid(param, "Message content must be a string or an array of text parts.");
    }

}
