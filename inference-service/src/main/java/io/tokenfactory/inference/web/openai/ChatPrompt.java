package io.tokenfactory.inference.web.openai;

import java.util.Set;

import io.tokenfactory.inference.serving.OpenAiException;

import tools.jackson.databind.JsonNode;

/**
 * Turns chat messages into the text a local byte-level model continues. The model was
 * trained on prose without roles, so the messages' texts are joined by blank lines and
 * the model writes what follows.
 */
final class ChatPrompt {

    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool");

    private ChatPrompt() {
    }

    static String of(JsonNode messages) {
        if (messages == null || messages.isNull()) {
            throw OpenAiException.invalid("messages", "missing_required_parameter",
                    "Missing required parameter: 'messages'.");
        }
        if (!messages.isArray() || messages.isEmpty()) {
            throw OpenAiException.invalid("messages", "'messages' must be a non-empty array.");
        }
        StringBuilder prompt = new StringBuilder();
        int index = 0;
        for (JsonNode message : messages) {
            String param = "messages[" + index++ + "]";
            if (!message.isObject()) {
                throw OpenAiException.invalid(param, "Each message must be an object.");
            }
            JsonNode role = message.get("role");
            if (role == null || !role.isString() || !ROLES.contains(role.asString())) {
                throw OpenAiException.invalid(param + ".role", "'role' must be one of " + ROLES + ".");
            }
            String text = RequestFields.contentText(message.get("content"), param + ".content");
            if (!text.isEmpty()) {
                if (!prompt.isEmpty()) {
                    prompt.append("\n\n");
                }
                prompt.append(text);
            }
        }
        if (prompt.isEmpty()) {
            throw OpenAiException.invalid("messages", "The messages hold no text.");
        }
        return prompt.append("\n\n").toString();
    }

}
