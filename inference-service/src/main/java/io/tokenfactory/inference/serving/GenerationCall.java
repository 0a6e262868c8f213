package io.tokenfactory.inference.serving;

import java.util.List;
import java.util.UUID;

import io.tokenfactory.inference.ModelSettings;
import io.tokenfactory.support.security.Caller;

import tools.jackson.databind.node.ObjectNode;

/**
 * A checked chat or text completion request.
 *
 * @param prompt for local models: the text the model continues (chat messages joined, see
 * {@link ChatPrompt})
 * @param maxTokens what the client asked for, or null for the model's default
 * @param body the request as sent, for remote backends
 */
public record GenerationCall(Kind kind, String requestId, long created, ModelSettings model, Caller caller,
        UUID agentRunId, String prompt, Integer maxTokens, double temperature, double topP, Long seed,
        List<String> stops, boolean stream, boolean includeUsage, ObjectNode body) {

    public enum Kind {

        CHAT("chat.completion", "chat.completion.chunk", "/chat/completions"),
        COMPLETION("text_completion", "text_completion", "/completions");

        final String object;

        final String chunkObject;

        final String path;

        Kind(String object, String chunkObject, String path) {
            this.object = object;
            this.chunkObject = chunkObject;
            this.path = path;
        }

    }

    /**
     * vLLM's {@code stream_options.continuous_usage_stats} (with {@code include_usage}):
     * every chunk carries the usage so far, so a client can count what it received.
     */
    boolean continuousUsage() {
        return includeUsage && body != null
                && body.path("stream_options").path("continuous_usage_stats").asBoolean(false);
    }

    /** OpenAI's {@code user} as the client sent it (checked); null when absent. */
    public String endUser() {
        return OpenAiPayloads.endUser(body);
    }

    /** The same request served by another model (a remote model's fallback). */
    GenerationCall onModel(ModelSettings other) {
        return new GenerationCall(kind, requestId, created, other, caller, agentRunId, prompt, maxTokens, temperature,
                topP, seed, stops, stream, includeUsage, body);
    }
}
