package io.tokenfactory.metering.energy;

import java.time.Duration;
import java.util.Optional;

import io.tokenfactory.contracts.PowerSampled;

import org.springframework.stereotype.Component;

/**
 * What makes a power window impossible to count: it is dead-lettered with that reason.
 */
@Component
public class PowerValidation {

    private static final Duration LONGEST_WINDOW = Duration.ofDays(1);

    public Optional<String> problem(PowerSampled sample) {
        if (sample.eventId() == null || sample.node() == null || sample.device() == null || sample.source() == null
                || sample.windowStart() == null || sample.windowEnd() == null) {
            return Optional.of("missing one of eventId, node, device, source, windowStart, windowEnd");
        }
        if (!sample.windowEnd().isAfter(sample.windowStart())
                || Duration.between(sample.windowStart(), sample.windowEnd()).compareTo(LONGEST_WINDOW) > 0) {
            return Optional.of("window must end after it starts and last at most a day");
        }
        if (!Double.isFinite(sample.energyJoules()) || sample.energyJoules() < 0
                || !Double.isFinite(sample.busyEnergyJoules()) || sample.busyEnergyJoules() < 0) {
            return Optional.of("negative or undefined energy");
        }
        if (EnergyAmounts.exact(sample.busyEnergyJoules()).compareTo(EnergyAmounts.exact(sample.energyJoules())) > 0) {
            return Optional.of("busy energy exceeds the energy measured in the window");
        }
        if (!Double.isFinite(sample.acceleratorSeconds()) || sample.acceleratorSeconds() < 0
                || !Double.isFinite(sample.busyAcceleratorSeconds()) || sample.busyAcceleratorSeconds() < 0
                || !Double.isFinite(sample.gapSeconds()) || sample.gapSeconds() < 0
                || EnergyAmounts.exact(sample.busyAcceleratorSeconds())
                    .compareTo(EnergyAmounts.exact(sample.acceleratorSeconds())) > 0) {
            return Optional.of("negative or undefined accelerator or gap time, or more busy accelerator time than "
                    + "accelerator time");
        }
        if (sample.node().length() > 200 || sample.device().length() > 200
                || (sample.deviceKind() != null && sample.deviceKind().length() > 64)
                || (sample.nodeClass() != null && sample.nodeClass().length() > 64)) {
            return Optional.of("an identifier is too long (node, device ≤ 200; deviceKind, nodeClass ≤ 64)");
        }
        return Optional.empty();
    }

}
