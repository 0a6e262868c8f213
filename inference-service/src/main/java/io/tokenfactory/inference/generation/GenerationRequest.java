package io.tokenfactory.inference.generation;

import java.util.List;

/**
 * One prompt to continue.
 *
 * @param prompt byte tokens (see {@link ByteVocabulary}); prompt plus {@code maxTokens}
 * fits the model's context
 * @param stops stop sequences: generation ends before the first of them, which is not
 * returned
 */
public record GenerationRequest(int[] prompt, int maxTokens, TokenSampler sampler, List<String> stops,
        GenerationListener listener) {

    public GenerationRequest {
        if (prompt.length == 0 || maxTokens < 1) {
            throw new IllegalArgumentException("a generation needs a prompt and at least one token to generate");
        }
        stops = List.copyOf(stops);
    }
}
