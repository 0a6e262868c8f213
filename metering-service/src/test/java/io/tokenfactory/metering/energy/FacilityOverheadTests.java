package io.tokenfactory.metering.energy;

import static io.tokenfactory.metering.MeteringFixtures.properties;
import static io.tokenfactory.metering.MeteringFixtures.pue;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Instant;

import org.junit.jupiter.api.Test;

/**
 * The facility's overhead: energy × (PUE − 1), with the PUE in force when the energy was
 * drawn, to the nanojoule.
 */
class FacilityOverheadTests {

    private final FacilityOverhead facility = new FacilityOverhead(
            properties(pue("2026-01-01T00:00:00Z", "1.5"), pue("2026-07-01T00:00:00Z", "1.2")));

    @Test
    void withoutAPueThereIsNoOverhead() {
        FacilityOverhead none = new FacilityOverhead(properties());

        assertThat(none.pueAt(Instant.parse("2026-03-01T00:00:00Z"))).isEqualByComparingTo("1");
        assertThat(none.overheadJoules(new BigDecimal("100"), Instant.parse("2026-03-01T00:00:00Z"))).isZero();
    }

    @Test
    void aPueAppliesFromItsDateUntilTheNextOne() {
        assertThat(facility.pueAt(Instant.parse("2025-12-31T23:59:59.999Z"))).isEqualByComparingTo("1");
        assertThat(facility.pueAt(Instant.parse("2026-01-01T00:00:00Z"))).isEqualByComparingTo("1.5");
        assertThat(facility.pueAt(Instant.parse("2026-06-30T23:59:59Z"))).isEqualByComparingTo("1.5");
        assertThat(facility.pueAt(Instant.parse("2026-07-01T00:00:00Z"))).isEqualByComparingTo("1.2");
    }

    @Test
    void overheadIsTheEnergyTimesPueLessOneKeptToTheNanojoule() {
        assertThat(facility.overheadJoules(new BigDecimal("100"), Instant.parse("2026-03-01T00:00:00Z")))
            .isEqualTo(new BigDecimal("50.000000000"));
        assertThat(facility.overheadJoules(new BigDecimal("100"), Instant.parse("2026-08-01T00:00:00Z")))
            .isEqualTo(new BigDecimal("20.000000000"));
        // 0.0000000025 × 0.2 = 5e-10, half-even to 0; × 0.5 = 1.25e-9, half-even to 1e-9
        assertThat(facility.overheadJoules(new BigDecimal("0.0000000025"), Instant.parse("2026-08-01T00:00:00Z")))
            .isEqualTo(new BigDecimal("0E-9"));
        assertThat(facility.overheadJoules(new BigDecimal("0.0000000025"), Instant.parse("2026-03-01T00:00:00Z")))
            .isEqualTo(new BigDecimal("1E-9"));
    }

    @Test
    void twoFactorsFromTheSameInstantAreAConfigurationError() {
        assertThatThrownBy(() -> new FacilityOverhead(
                properties(pue("2026-01-01T00:00:00Z", "1.5"), pue("2026-01-01T00:00:00Z", "1.2"))))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("2026-01-01T00:00:00Z");
    }

    @Test
    void theScheduleAsSqlCarriesEachFactorUntilTheNext() {
        assertThat(facility.asSqlTable()).isEqualTo("(SELECT effective_from, lead(effective_from) OVER "
                + "(ORDER BY effective_from) AS until, factor FROM (VALUES ('2026-01-01T00:00:00Z'::timestamptz, "
                + "1.5::numeric), ('2026-07-01T00:00:00Z'::timestamptz, 1.2::numeric)) AS p(effective_from, factor))");
        assertThat(new FacilityOverhead(properties()).asSqlTable()).endsWith("WHERE false)");
    }

    @Test
    void measurementsBecomeTheDecimalTheyReadAsToTheNanounit() {
        assertThat(EnergyAmounts.exact(0.1)).isEqualTo(new BigDecimal("0.100000000"));
        assertThat(EnergyAmounts.exact(0)).isEqualTo(new BigDecimal("0E-9"));
        assertThat(EnergyAmounts.exact(12345.6789)).isEqualTo(new BigDecimal("12345.678900000"));
        // half-even at the ninth decimal
        assertThat(EnergyAmounts.exact(2.0000000005)).isEqualTo(new BigDecimal("2.000000000"));
        assertThat(EnergyAmounts.exact(2.0000000015)).isEqualTo(new BigDecimal("2.000000002"));
    }

}
