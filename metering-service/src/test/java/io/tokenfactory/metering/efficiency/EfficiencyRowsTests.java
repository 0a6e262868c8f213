package io.tokenfactory.metering.efficiency;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

/**
 * Performance per watt of one group: tokens per joule of direct and of all-in energy
 * (direct, idle share, facility overhead), joules per token, average watts and tokens per
 * second over the window; tokens without an energy figure are left out of the energy
 * ratios, and a ratio without meaning is null.
 */
class EfficiencyRowsTests {

    private static final BigDecimal HOUR = BigDecimal.valueOf(3600);

    @Test
    void tokensPerJouleCountsDirectEnergyAndAllInCountsIdleAndOverheadToo() {
        Efficiency.Row row = EfficiencyQueries.row(List.of(part("DCGM", 1_000, "200", "100", "100")), false, HOUR);

        assertThat(row.allInJoules()).isEqualByComparingTo("400");
        assertThat(row.tokensPerJoule()).isEqualTo(new BigDecimal("5.000000"));
        assertThat(row.tokensPerJouleAllIn()).isEqualTo(new BigDecimal("2.500000"));
        assertThat(row.joulesPerToken()).isEqualTo(new BigDecimal("0.400000"));
        // 400 J over an hour is 0.111… W; 1 000 tokens over an hour 0.277… per second
        assertThat(row.averageWatts()).isEqualTo(new BigDecimal("0.111111"));
        assertThat(row.tokensPerSecond()).isEqualTo(new BigDecimal("0.277778"));
    }

    @Test
    void tokensWithoutAnEnergyFigureAreLeftOutOfEnergyRatiosButStillServedTokens() {
        Efficiency.Row row = EfficiencyQueries
            .row(List.of(part("DCGM", 1_000, "200", "0", "0"), part("NONE", 2_600, "0", "0", "0")), false, HOUR);

        assertThat(row.tokens()).isEqualTo(3_600);
        assertThat(row.tokensWithoutEnergy()).isEqualTo(2_600);
        assertThat(row.tokensPerJoule()).isEqualByComparingTo("5");
        assertThat(row.joulesPerToken()).isEqualByComparingTo("0.2");
        assertThat(row.tokensPerSecond()).isEqualByComparingTo("1");
        assertThat(row.energySources()).containsOnlyKeys("DCGM", "NONE");
        assertThat(row.energySources().get("NONE").tokens()).isEqualTo(2_600);
    }

    @Test
    void noEnergyMeasuredIsNoRatioNeitherInfiniteNorZero() {
        Efficiency.Row row = EfficiencyQueries.row(List.of(part("NONE", 500, "0", "0", "0")), false, HOUR);

        assertThat(row.tokensPerJoule()).isNull();
        assertThat(row.tokensPerJouleAllIn()).isNull();
        assertThat(row.joulesPerToken()).isNull();
        assertThat(row.averageWatts()).isNull();
        assertThat(row.tokensPerSecond()).isNotNull();
    }

    @Test
    void energyWithoutTokensHasNoPerTokenRatio() {
        Efficiency.Row row = EfficiencyQueries.row(List.of(part("DCGM", 0, "10", "0", "0")), false, HOUR);

        assertThat(row.tokensPerJoule()).isNull();
        assertThat(row.joulesPerToken()).isNull();
        assertThat(row.tokensPerSecond()).isNull();
        assertThat(row.averageWatts()).isNotNull();
    }

    @Test
    void groupedBySourceARowNamesItsSourceInsteadOfAMix() {
        Efficiency.Row row = EfficiencyQueries.row(List.of(part("RAPL", 10, "1", "0", "0")), true, HOUR);

        assertThat(row.energySource()).isEqualTo("RAPL");
        assertThat(row.energySources()).isNull();
    }

    private static EfficiencyQueries.Part part(String source, long tokens, String direct, String idle,
            String overhead) {
        return new EfficiencyQueries.Part(UUID.randomUUID(), null, "llama", null, source, 3, tokens,
                new BigDecimal(direct), new BigDecimal(idle), new BigDecimal(overhead));
    }

}
