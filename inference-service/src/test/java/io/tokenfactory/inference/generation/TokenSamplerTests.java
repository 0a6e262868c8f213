package io.tokenfactory.inference.generation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

/**
 * Picking the next token: greedy at temperature 0, else softmax sampling within the top-p
 * nucleus, repeatably.
 */
class TokenSamplerTests {

    @Test
    void atTemperatureZeroTheMostLikelyTokenIsPickedAndTheFirstOfEqualOnes() {
        TokenSampler greedy = new TokenSampler(0, 1, null);

        assertThat(greedy.next(new float[] { 0.1f, 3f, -2f, 2.9f }, 0, 4)).isEqualTo(1);
        assertThat(greedy.next(new float[] { 5f, 5f, 1f }, 0, 3)).isZero();
    }

    @Test
    void theLogitsOfOneRowAreReadFromItsOffset() {
        float[] batch = { 9f, 0f, 0f, 0f, 0f, 7f };

        assertThat(new TokenSampler(0, 1, null).next(batch, 3, 3)).isEqualTo(2);
        assertThat(new TokenSampler(0.7, 0.9, 1L).next(batch, 3, 3)).isEqualTo(2);
    }

    @Test
    void theSameSeedDrawsTheSameTokens() {
        float[] logits = { 1f, 1.2f, 0.8f, 1.1f, 0.9f };
        TokenSampler first = new TokenSampler(1.0, 1.0, 42L);
        TokenSampler second = new TokenSampler(1.0, 1.0, 42L);

        for (int i = 0; i < 50; i++) {
            assertThat(first.next(logits, 0, 5)).isEqualTo(second.next(logits, 0, 5));
        }
    }

    @Test
    void withoutANucleusEveryTokenCanBeDrawnButOutsideItOnlyTheLikeliestOnes() {
        // probabilities at temperature 1: about 0.64, 0.24, 0.09, 0.03
        float[] logits = { 3f, 2f, 1f, 0f };
        Set<Integer> everyToken = new HashSet<>();
        Set<Integer> nucleus = new HashSet<>();
        TokenSampler all = new TokenSampler(1.0, 1.0, 7L);
        TokenSampler topHalf = new TokenSampler(1.0, 0.5, 7L);
        TokenSampler topEightyFive = new TokenSampler(1.0, 0.85, 7L);
        Set<Integer> wider = new HashSet<>();

        for (int i = 0; i < 2_000; i++) {
            everyToken.add(all.next(logits, 0, 4));
            nucleus.add(topHalf.next(logits, 0, 4));
            wider.add(topEightyFive.next(logits, 0, 4));
        }

        assertThat(everyToken).containsExactlyInAnyOrder(0, 1, 2, 3);
        assertThat(nucleus).containsExactly(0);
        assertThat(wider).containsExactlyInAnyOrder(0, 1);
    }

    @Test
    void aLowTemperatureSharpensTheDrawTowardsTheLikeliestToken() {
        float[] logits = { 2f, 1.5f };
        TokenSampler cold = new TokenSampler(0.05, 1.0, 3L);
        int likeliest = 0;

        for (int i = 0; i < 1_000; i++) {
            likeliest += cold.next(logits, 0, 2) == 0 ? 1 : 0;
        }

        // at temperature 0.05 the second token has a probability of e^-10
        assertThat(likeliest).isEqualTo(1_000);
    }

}
