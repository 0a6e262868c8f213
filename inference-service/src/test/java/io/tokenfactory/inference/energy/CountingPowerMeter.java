package io.tokenfactory.inference.energy;

import io.tokenfactory.contracts.EnergySource;

/** A meter whose counter advances by a fixed amount at every reading: every joule is known to the test. */
public final class CountingPowerMeter implements PowerMeter {

    private final double joulesPerReading;
    private double joules;

    public CountingPowerMeter(double joulesPerReading) {
        this.joulesPerReading = joulesPerReading;
    }

    @Override
    public EnergySource source() {
        return EnergySource.RAPL;
    }

    @Override
    public String device() {
        return "test-package";
    }

    @Override
    public String deviceKind() {
        return "cpu";
    }

    @Override
    public synchronized double joules() {
        joules += joulesPerReading;
        return joules;
    }

    public synchronized double total() {
        return joules;
    }
}
