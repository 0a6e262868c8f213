package io.tokenfactory.inference.energy;

import io.tokenfactory.contracts.EnergySource;

/**
 * One source of energy readings for the device this instance serves from. Exactly one meter is active per instance,
 * so figures from different sources are never mixed.
 */
public interface PowerMeter {

    EnergySource source();

    /** What is measured, for example {@code gpu0} or {@code cpu-package}. */
    String device();

    /** {@code gpu} or {@code cpu}. */
    String deviceKind();

    /** Energy drawn since an arbitrary origin, in joules; never decreases (counter wrap-around is handled). */
    double joules();
}
