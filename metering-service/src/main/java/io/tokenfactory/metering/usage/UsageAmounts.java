package io.tokenfactory.metering.usage;

import java.math.BigDecimal;
import java.math.RoundingMode;

import io.tokenfactory.contracts.UsageRecorded;
import io.tokenfactory.metering.energy.FacilityOverhead;

/**
 * A usage record's physical measurements as exact decimals. Each is converted once, here, the same way for the
 * raw table, the rollups and the events, so sums agree to the last digit however they are computed.
 */
final class UsageAmounts {

    private UsageAmounts() {
    }

    static BigDecimal energyJoules(UsageRecorded record) {
        return exact(record.energyJoules());
    }

    static BigDecimal acceleratorSeconds(UsageRecorded record) {
        return exact(record.acceleratorSeconds());
    }

    private static BigDecimal exact(double measured) {
        return new BigDecimal(Double.toString(measured)).setScale(FacilityOverhead.JOULE_SCALE, RoundingMode.HALF_EVEN);
    }
}
