package io.tokenfactory.inference.energy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Instant;

import io.tokenfactory.contracts.EnergySource;

import org.junit.jupiter.api.Test;

/**
 * The figures of one published power window: settled windows, gaps, idle accelerator time
 * and the source.
 */
class PowerWindowRecordingTests {

    private static final Instant START = Instant.parse("2026-11-05T10:00:00Z");

    @Test
    void aFullyMeasuredSpanPublishesItsWindowsSums() {
        PowerWindowRecording.Published window = sums(600, 450, 120, 80, 60, 60, "NVML").publish(0, 0, 60, 2,
                EnergySource.NVML);

        assertThat(window).isEqualTo(new PowerWindowRecording.Published(600, 450, 120, 80, 0, EnergySource.NVML));
    }

    @Test
    void gapEnergyCountsInTheTotalAndUnmeasuredSecondsAreGapTime() {
        // 40 of 60 s measured; the counter told 90 J across the gap, 30 of them while
        // requests were in flight
        PowerWindowRecording.Published window = sums(400, 300, 80, 50, 60, 40, "DCGM").publish(90, 30, 60, 2,
                EnergySource.DCGM);

        assertThat(window.energy()).isEqualTo(490);
        assertThat(window.busy()).isEqualTo(330);
        assertThat(window.gapSeconds()).isEqualTo(20);
        assertThat(window.source()).isEqualTo(EnergySource.DCGM);
    }

    @Test
    void timeNoWindowCoversIsIdleAcceleratorTimeOfEveryAccelerator() {
        // windows cover 45 of 60 s: 15 s more on each of 4 GPUs, none of it busy
        PowerWindowRecording.Published window = sums(300, 100, 180, 40, 45, 45, "NVML").publish(0, 0, 60, 4,
                EnergySource.NVML);

        assertThat(window.acceleratorSeconds()).isEqualTo(180 + 15 * 4);
        assertThat(window.busyAcceleratorSeconds()).isEqualTo(40);
        assertThat(window.gapSeconds()).isEqualTo(15);
    }

    @Test
    void busyEnergyNeverExceedsTheTotalEvenWhenSumsRoundAboveIt() {
        PowerWindowRecording.Published window = sums(100.0, 100.0000001, 60, 60, 60, 60, "RAPL").publish(0, 0, 60, 1,
                EnergySource.RAPL);

        assertThat(window.busy()).isEqualTo(window.energy());
    }

    @Test
    void theSourceIsTheLatestMeasuredWindowsElseTheMetersWhenOnlyGapsToldEnergyElseNone() {
        assertThat(sums(10, 0, 1, 0, 1, 1, "DCGM_POWER").publish(0, 0, 1, 1, EnergySource.DCGM).source())
            .isEqualTo(EnergySource.DCGM_POWER);
        assertThat(sums(0, 0, 0, 0, 0, 0, null).publish(25, 0, 60, 1, EnergySource.DCGM).source())
            .isEqualTo(EnergySource.DCGM);
        PowerWindowRecording.Published nothing = sums(0, 0, 0, 0, 0, 0, null).publish(0, 0, 60, 1, EnergySource.DCGM);
        assertThat(nothing.source()).isEqualTo(EnergySource.NONE);
        assertThat(nothing.gapSeconds()).isEqualTo(60);
        assertThat(nothing.acceleratorSeconds()).isCloseTo(60, within(1e-12));
    }

    @Test
    void windowsCoveringMoreThanTheSpanAddNoNegativeTime() {
        PowerWindowRecording.Published window = sums(50, 0, 61, 0, 61, 61, "NVML").publish(0, 0, 60, 1,
                EnergySource.NVML);

        assertThat(window.gapSeconds()).isZero();
        assertThat(window.acceleratorSeconds()).isEqualTo(61);
    }

    private static PowerWindowRecording.Sums sums(double energy, double busy, double acceleratorSeconds,
            double busyAcceleratorSeconds, double coveredSeconds, double measuredSeconds, String source) {
        return new PowerWindowRecording.Sums(energy, busy, acceleratorSeconds, busyAcceleratorSeconds, coveredSeconds,
                measuredSeconds, source, START);
    }

}
