package io.tokenfactory.inference.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class AbandonedEnergyTests {

    @Test
    void looksForAbandonedRequestsFourTimesWithinAbandonAfterBetweenOnceASecondAndOnceAMinute() {
        assertThat(AbandonedEnergy.scanInterval(Duration.ofMinutes(5))).isEqualTo(Duration.ofMinutes(1));
        assertThat(AbandonedEnergy.scanInterval(Duration.ofSeconds(20))).isEqualTo(Duration.ofSeconds(5));
        assertThat(AbandonedEnergy.scanInterval(Duration.ofSeconds(2))).isEqualTo(Duration.ofSeconds(1));
    }

}
