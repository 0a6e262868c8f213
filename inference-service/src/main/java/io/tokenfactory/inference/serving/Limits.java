package io.tokenfactory.inference.serving;

/** The token limits of a request against its model's context and output limits. */
final class Limits {

    private Limits() {
    }

    /**
     * The completion tokens to generate, or the OpenAI error a client gets for asking too
     * much.
     */
    static int maxTokens(GenerationCall call, int promptTokens) {
        int context = call.model().contextLength();
        Integer requested = call.maxTokens();
        if (requested != null && requested > call.model().maxOutputTokens()) {
            throw OpenAiException.invalid(
                    call.kind() == GenerationCall.Kind.CHAT ? "max_completion_tokens" : "max_tokens",
                    "max_tokens is too large: " + requested + ". This model supports at most "
                            + call.model().maxOutputTokens() + " completion tokens.");
        }
        int wanted = requested != null ? requested : call.model().defaultMaxTokens();
        if (promptTokens >= context || (requested != null && promptTokens + requested > context)) {
            throw OpenAiException.contextLengthExceeded(context, promptTokens, wanted);
        }
        return Math.min(wanted, context - promptTokens);
    }

}
