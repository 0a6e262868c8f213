package io.tokenfactory.metering.carbon;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

/**
 * The intensity a node's energy is priced at: its own, else its site's, else the
 * factory's, each the one in force at the instant; and the grams that makes.
 */
class CarbonScheduleTests {

    private static final Instant JANUARY = Instant.parse("2026-01-01T00:00:00Z");

    private static final Instant JUNE = Instant.parse("2026-06-01T00:00:00Z");

    private final CarbonSchedule schedule = new CarbonSchedule(
            List.of(intensity(CarbonScope.FACTORY, null, JANUARY, "300"),
                    intensity(CarbonScope.SITE, "frankfurt", JANUARY, "350"),
                    intensity(CarbonScope.NODE, "gpu-a", JUNE, "50"),
                    intensity(CarbonScope.FACTORY, null, JUNE, "250")),
            Map.of("gpu-a", "frankfurt", "gpu-b", "frankfurt"));

    @Test
    void theMostSpecificIntensityInForceWins() {
        // gpu-a has its own only from June; before that its site's
        assertThat(schedule.gramsPerKwh("gpu-a", JUNE.minusSeconds(1))).isEqualByComparingTo("350");
        assertThat(schedule.gramsPerKwh("gpu-a", JUNE)).isEqualByComparingTo("50");
        assertThat(schedule.gramsPerKwh("gpu-b", JUNE)).isEqualByComparingTo("350");
        // a node of no site gets the factory's, which changes in June
        assertThat(schedule.gramsPerKwh("cpu-1", JUNE.minusSeconds(1))).isEqualByComparingTo("300");
        assertThat(schedule.gramsPerKwh("cpu-1", JUNE)).isEqualByComparingTo("250");
    }

    @Test
    void nothingIsInForceBeforeTheFirstIntensity() {
        assertThat(schedule.gramsPerKwh("cpu-1", JANUARY.minusSeconds(1))).isNull();
        assertThat(schedule.emissionsGrams("cpu-1", JANUARY.minusSeconds(1), BigDecimal.TEN)).isNull();
        assertThat(CarbonSchedule.none().isEmpty()).isTrue();
    }

    @Test
    void gramsAreJoulesInKilowattHoursTimesTheIntensityToAMicrogram() {
        // 3.6 MJ = 1 kWh at 350 g/kWh
        assertThat(schedule.emissionsGrams("gpu-b", JUNE, new BigDecimal("3600000")))
            .isEqualTo(new BigDecimal("350.000000"));
        // 1 J at 50 g/kWh = 13.888… µg, rounded half-even
        assertThat(schedule.emissionsGrams("gpu-a", JUNE, BigDecimal.ONE)).isEqualTo(new BigDecimal("0.000014"));
        // a 0 g/kWh grid makes 0 g, which is a figure, not a missing one
        CarbonSchedule clean = new CarbonSchedule(List.of(intensity(CarbonScope.NODE, "hydro", JANUARY, "0")),
                Map.of());
        assertThat(clean.emissionsGrams("hydro", JUNE, BigDecimal.TEN)).isEqualByComparingTo("0");
    }

    private static CarbonIntensity intensity(CarbonScope scope, String target, Instant from, String grams) {
        return new CarbonIntensity(UUID.randomUUID(), scope, target, from, new BigDecimal(grams), null, from);
    }

}
