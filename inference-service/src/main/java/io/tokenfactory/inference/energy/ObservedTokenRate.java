package io.tokenfactory.inference.energy;

/**
 * The rate at which a node's whole responses (whose tokens are not seen one by one) are
 * taken to make tokens while in flight: an exponential moving average of what finished
 * ones made, so one odd response moves it a little.
 */
final class ObservedTokenRate {

    /**
     * Until the node's own requests tell it, a whole response is taken to make this many
     * tokens a second.
     */
    static final double INITIAL_TOKENS_PER_SECOND = 30;

    private static final double SMOOTHING = 0.2;

    private ObservedTokenRate() {
    }

    /**
     * The rate after a response that produced {@code producedTokens} in
     * {@code elapsedMillis}.
     */
    static double after(double tokensPerSecond, long producedTokens, long elapsedMillis) {
        if (producedTokens <= 0 || elapsedMillis <= 0) {
            return tokensPerSecond;
        }
        double rate = producedTokens / (elapsedMillis / 1000.0);
        return tokensPerSecond + SMOOTHING * (rate - tokensPerSecond);
    }

}
