package io.tokenfactory.inference.energy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * The rate whole responses are weighed at while in flight, learnt from the ones that
 * finished.
 */
class ObservedTokenRateTests {

    @Test
    void eachFinishedResponseMovesTheRateAFifthOfTheWayToItsOwn() {
        // 100 tokens in 2 s is 50 tokens/s: from 30, a fifth of the 20 between
        assertThat(ObservedTokenRate.after(30, 100, 2_000)).isCloseTo(34, within(1e-12));
        assertThat(ObservedTokenRate.after(34, 10, 1_000)).isCloseTo(29.2, within(1e-12));
    }

    @Test
    void repeatedResponsesAtOneRateBringTheEstimateToIt() {
        double rate = ObservedTokenRate.INITIAL_TOKENS_PER_SECOND;
        for (int i = 0; i < 100; i++) {
            rate = ObservedTokenRate.after(rate, 400, 1_000);
        }

        assertThat(rate).isCloseTo(400, within(1e-6));
    }

    @Test
    void aResponseWithoutTokensOrWithoutTimeTeachesNothing() {
        assertThat(ObservedTokenRate.after(42, 0, 1_000)).isEqualTo(42);
        assertThat(ObservedTokenRate.after(42, 100, 0)).isEqualTo(42);
        assertThat(ObservedTokenRate.after(42, -1, 1_000)).isEqualTo(42);
    }

}
