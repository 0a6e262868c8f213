package io.tokenfactory.inference.usage;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tokenfactory.contracts.EnergySource;
import io.tokenfactory.inference.energy.MeasuredEnergy;
import io.tokenfactory.support.tracing.Traces;

import org.junit.jupiter.api.Test;

/**
 * What the request log refuses before anything reaches the database: figures metering
 * could not count.
 */
class UsageRecordingTests {

    /** No database: a refusal must come before the first statement. */
    private final UsageRecording recording = new UsageRecording(null, null, Traces.none());

    @Test
    void energyAcceleratorTimeAndGapMustBeFiniteAndNotNegative() {
        for (MeasuredEnergy unmeterable : new MeasuredEnergy[] { new MeasuredEnergy(-0.1, 0, EnergySource.NVML, 0),
                new MeasuredEnergy(Double.NaN, 0, EnergySource.NVML, 0),
                new MeasuredEnergy(Double.POSITIVE_INFINITY, 0, EnergySource.NVML, 0),
                new MeasuredEnergy(1, -1, EnergySource.NVML, 0),
                new MeasuredEnergy(1, Double.POSITIVE_INFINITY, EnergySource.NVML, 0),
                new MeasuredEnergy(1, 1, EnergySource.NVML, Double.NaN),
                new MeasuredEnergy(1, 1, EnergySource.NVML, -2), new MeasuredEnergy(1, 1, null, 0) }) {
            assertThatThrownBy(() -> recording.settle("req-1", unmeterable)).as("%s", unmeterable)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("energy, accelerator time and gap must be finite and not negative");
        }
    }

    @Test
    void negativeTokenCountsAreNeverLogged() {
        FinishedRequest negative = new FinishedRequest("req-1", null, null, "m", "djl", "local", null, "cpu", -1, 0,
                null, null, null, -1, false);

        assertThatThrownBy(() -> recording.logServed(negative)).isInstanceOf(IllegalArgumentException.class)
            .hasMessage("token counts must not be negative");
    }

}
