package io.tokenfactory.inference.generation;

import java.util.List;

import io.tokenfactory.inference.fairshare.Requester;

/**
 * One prompt to continue.
 *
 * @param prompt byte tokens (see {@link ByteVocabulary}); prompt plus {@code maxTokens}
 * fits the model's context
 * @param stops stop sequences: generation ends before the first of them, which is not
 * returned
 * @param requester whose fair share the request waits in
 */
public record GenerationRequest(int[] prompt, int maxTokens, TokenSampler sampler, List<String> stops,
        GenerationListener listener, Requester requester) {

    public GenerationRequest {
        if (prompt.length == 0 || maxTokens < 1) {
            throw new IllegalArgumentException("a generation needs a prompt and at least one token to generate");
        }
        stops = List.copyOf(stops);
    }

    /** A request of no department ({@link Requester#ANONYMOUS}). */
    public GenerationRequest(int[] prompt, int maxTokens, TokenSampler sampler, List<String> stops,
            GenerationListener listener) {
        this(prompt, maxTokens, sampler, stops, listener, Requester.ANONYMOUS);
    }

    /** The most work it may be: its prompt and every token it may generate. */
    long work() {
        return (long) prompt.length + maxTokens;
    }

}
