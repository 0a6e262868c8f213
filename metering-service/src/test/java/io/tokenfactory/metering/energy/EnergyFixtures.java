package io.tokenfactory.metering.energy;

import io.tokenfactory.metering.MeteringFixtures;
import io.tokenfactory.metering.MeteringProperties.PueFrom;

/** The energy module's collaborators as tests outside its package need them. */
public final class EnergyFixtures {

    private EnergyFixtures() {
    }

    public static FacilityOverhead facility(PueFrom... pue) {
        return new FacilityOverhead(MeteringFixtures.properties(pue));
    }

}
