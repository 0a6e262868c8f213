package io.tokenfactory.inference.generation;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from logits: greedy at temperature 0, otherwise softmax at the
 * temperature restricted to the smallest set of tokens whose probability reaches
 * {@code topP} (nucleus sampling). A seed makes it repeatable.
 */
public final class TokenSampler {

    private final double temperature;

    private final double topP;

    private final SplittableRandom random;

    public TokenSampler(double temperature, double topP, Long seed) {
        this.temperature = temperature;
        this.topP = topP;
        this.random = seed == null ? new SplittableRandom() : new SplittableRandom(seed);
    }

    /** Samples from {@code logits[offset .. offset + vocabulary)}. */
    public int next(float[] logits, int offset, int vocabulary) {
        if (temperature <= 0) {
            int best = 0;
            for (int i = 1; i < vocabulary; i++) {
                if (logits[offset + i] > logits[offset + best]) {
                    best = i;
                }
            }
            return best;
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < vocabulary; i++) {
            max = Math.max(max, logits[offset + i]);
        }
        double[] probabilities = new double[vocabulary];
        double sum = 0;
        for (int i = 0; i < vocabulary; i++) {
            probabilities[i] = Math.exp((logits[offset + i] - max) / temperature);
            sum += probabilities[i];
        }
        if (topP >= 1) {
            return draw(probabilities, sum);
        }
        // nucleus: tokens by falling probability, packed as (float bits, index) so a
        // primitive sort orders them
        long[] order = new long[vocabulary];
        for (int i = 0; i < vocabulary; i++) {
            order[i] = ((long) Float.floatToIntBits((float) (probabilities[i] / sum)) << 32) | i;
        }
        Arrays.sort(order);
        double kept = 0;
        int first = vocabulary;
        while (first > 0 && (first == vocabulary || kept < topP * sum)) {
            kept += probabilities[(int) order[--first]];
        }
        double target = random.nextDouble() * kept;
        double cumulative = 0;
        for (int i = vocabulary - 1; i > first; i--) {
            cumulative += probabilities[(int) order[i]];
            if (cumulative >= target) {
                return (int) order[i];
            }
        }
        return (int) order[first];
    }

    private int draw(double[] probabilities, double sum) {
        double target = random.nextDouble() * sum;
        double cumulative = 0;
        for (int i = 0; i < probabilities.length; i++) {
            cumulative += probabilities[i];
            if (cumulative >= target) {
                return i;
            }
        }
        return probabilities.length - 1;
    }

}
