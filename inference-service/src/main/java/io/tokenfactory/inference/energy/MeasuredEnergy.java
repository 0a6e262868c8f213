package io.tokenfactory.inference.energy;

import io.tokenfactory.contracts.EnergySource;

/**
 * A request's share of its node's measured energy, over every metering window it was in
 * flight.
 *
 * @param source where the joules came from; {@link EnergySource#NONE} when no window it
 * ran in was measured
 * @param gapSeconds how much of its time fell into windows without readings: its joules
 * cover the rest only
 */
public record MeasuredEnergy(double joules, double acceleratorSeconds, EnergySource source, double gapSeconds) {

    /**
     * A request on a node without a meter: no figure at all, which is not zero joules.
     */
    public static final MeasuredEnergy UNMETERED = new MeasuredEnergy(0, 0, EnergySource.NONE, 0);

}
