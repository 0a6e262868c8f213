package io.tokenfactory.billing.charging;

import java.time.Clock;

import io.tokenfactory.billing.BillingFixtures;

/** Charging's collaborators as tests outside its package need them. */
public final class ChargingFixtures {

    private ChargingFixtures() {
    }

    public static BillingPeriods periods(String currency, String billingTimeZone, Clock clock) {
        return new BillingPeriods(BillingFixtures.properties(currency, billingTimeZone), clock);
    }

}
