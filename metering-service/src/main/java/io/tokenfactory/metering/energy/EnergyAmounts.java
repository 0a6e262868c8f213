package io.tokenfactory.metering.energy;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Physical measurements (joules, seconds) as exact decimals to the nanounit, converted
 * once and the same way everywhere — raw rows, rollups, node-hours and events — so sums
 * agree however they are computed.
 */
public final class EnergyAmounts {

    private EnergyAmounts() {
    }

    public static BigDecimal exact(double measured) {
        return new BigDecimal(Double.toString(measured)).setScale(FacilityOverhead.JOULE_SCALE, RoundingMode.HALF_EVEN);
    }

}
