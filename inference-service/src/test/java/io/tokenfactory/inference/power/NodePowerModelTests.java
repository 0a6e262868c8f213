package io.tokenfactory.inference.power;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * What a node's readings say one more request will draw, before the meter can show it.
 */
class NodePowerModelTests {

    @Test
    void readingsAtSeveralLoadsGiveIdleAndPerRequestWatts() {
        NodePowerModel model = new NodePowerModel();
        // 60 W idle, 40 W a request; each reading's load is the mean of its interval's
        // ends
        int[] running = { 0, 0, 2, 2, 4, 4, 6, 6, 3, 3, 1, 1 };
        for (int i = 0; i < running.length; i++) {
            double load = i == 0 ? running[0] : (running[i - 1] + running[i]) / 2.0;
            model.reading(60 + 40 * load, running[i]);
        }

        assertThat(model.knowsPerRequest()).isTrue();
        assertThat(model.perRequest()).isCloseTo(40, within(0.5));
        assertThat(model.predict(1)).isCloseTo(100, within(1.0));
        assertThat(model.predict(8)).isCloseTo(380, within(2.0));
    }

    @Test
    void aLoadChangingBetweenReadingsDoesNotTeachTooFewWattsPerRequest() {
        NodePowerModel model = new NodePowerModel();
        model.reading(50, 0, 0);
        // the load averaged between readings: each reading's own ratio is exact
        model.reading(50 + 50 * 2.5, 2.5, 4);
        model.reading(50 + 50 * 6.0, 6.0, 8);
        model.reading(50 + 50 * 7.5, 7.5, 7);

        assertThat(model.perRequest()).isCloseTo(50, within(0.01));
        assertThat(model.predict(9)).isCloseTo(500, within(0.01));
    }

    @Test
    void aNodeSeenIdleOnlyDoesNotKnowWhatARequestDraws() {
        NodePowerModel model = new NodePowerModel();
        assertThat(model.predict(1)).isNaN();
        model.reading(60, 0);
        model.reading(61, 0);

        assertThat(model.knowsPerRequest()).isFalse();
        assertThat(model.predict(0)).isCloseTo(60.5, within(0.6));
    }

    @Test
    void aNodeNeverSeenIdleCountsAllOfItsDrawAsTheRequestsWhichOverestimatesTheNextOne() {
        NodePowerModel model = new NodePowerModel();
        for (int i = 0; i < 5; i++) {
            model.reading(300, 4);
        }

        assertThat(model.knowsPerRequest()).isTrue();
        assertThat(model.perRequest()).isCloseTo(75, within(0.01));
        assertThat(model.predict(5)).isCloseTo(375, within(0.01));
    }

}
