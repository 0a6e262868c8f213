package io.tokenfactory.metering.energy;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** Physical measurements as exact decimals, converted once and the same way everywhere. */
final class EnergyAmounts {

    private EnergyAmounts() {
    }

    static BigDecimal joules(double measured) {
        return new BigDecimal(Double.toString(measured)).setScale(FacilityOverhead.JOULE_SCALE, RoundingMode.HALF_EVEN);
    }
}
