package io.tokenfactory.metering.usage;

import java.math.BigDecimal;

import io.tokenfactory.contracts.UsageRecorded;
import io.tokenfactory.metering.energy.EnergyAmounts;

/**
 * A usage record's physical measurements as exact decimals, converted by
 * {@link EnergyAmounts} like every other measurement, so sums agree to the last digit
 * however they are computed.
 */
final class UsageAmounts {

    private UsageAmounts() {
    }

    static BigDecimal energyJoules(UsageRecorded record) {
        return EnergyAmounts.exact(record.energyJoules());
    }

    static BigDecimal acceleratorSeconds(UsageRecorded record) {
        return EnergyAmounts.exact(record.acceleratorSeconds());
    }

    static BigDecimal energyGapSeconds(UsageRecorded record) {
        return EnergyAmounts.exact(record.energyGapSeconds());
    }

}
