package io.tokenfactory.inference.generation;

/**
 * Receives a generation's output; called on the model's decode thread, so it must hand
 * work off, never block.
 */
public interface GenerationListener {

    /**
     * New text, in order; never empty. {@code completionTokens}: the tokens generated so
     * far, this text's included.
     */
    void onText(String text, int completionTokens);

    /** Exactly once, after the last text, with the request's tokens, time and energy. */
    void onFinish(GenerationResult result);

}
