package io.tokenfactory.billing.charging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.List;
import java.util.UUID;

import io.tokenfactory.billing.charging.CostPerToken.Dimension;
import io.tokenfactory.support.problem.ApiProblemException;

import org.junit.jupiter.api.Test;

/**
 * Cost per token from a group's sums per energy source: busy cost (energy and capacity)
 * and fully loaded cost (plus the idle share) over the tokens that have an energy figure;
 * tokens without one are counted apart.
 */
class CostPerTokenTests {

    private static final UUID DEPARTMENT = UUID.randomUUID();

    @Test
    void groupByNamesDimensionsAsTheApiDoesOnceEachInTheOrderGiven() {
        assertThat(Dimension.parse(null)).isEmpty();
        assertThat(Dimension.parse(" ")).isEmpty();
        assertThat(Dimension.parse("energySource,model")).containsExactly(Dimension.ENERGY_SOURCE, Dimension.MODEL);
        assertThat(Dimension.parse("NODE, department ,agent,node")).containsExactly(Dimension.NODE,
                Dimension.DEPARTMENT, Dimension.AGENT);
    }

    @Test
    void groupByRefusesAnythingButTheApisNames() {
        for (String groupBy : List.of("colour", "energy_source", "model;DROP", "model,,node")) {
            assertThatThrownBy(() -> Dimension.parse(groupBy)).as(groupBy)
                .isInstanceOfSatisfying(ApiProblemException.class, problem -> {
                    assertThat(problem.code()).isEqualTo("invalid_parameter");
                    assertThat(problem.getMessage())
                        .isEqualTo("groupBy takes model, department, agent, node, energySource, team and project");
                });
        }
    }

    @Test
    void costPerTokenIsBusyCostOverTokensAndFullyLoadedAddsTheIdleShare() {
        CostPerToken.Row row = CostPerToken.row(List.of(part("DCGM", 2, 1_000, "0.003", "0.007", "0.001", "0.004")),
                false);

        assertThat(row.cost()).isEqualByComparingTo("0.010");
        assertThat(row.fullyLoadedCost()).isEqualByComparingTo("0.015");
        assertThat(row.costPerToken()).isEqualTo(new BigDecimal("0.000010000000"));
        assertThat(row.costPerMillionTokens()).isEqualTo(new BigDecimal("10.000000"));
        assertThat(row.fullyLoadedCostPerToken()).isEqualTo(new BigDecimal("0.000015000000"));
        assertThat(row.fullyLoadedCostPerMillionTokens()).isEqualTo(new BigDecimal("15.000000"));
    }

    @Test
    void tokensWithoutAnEnergyFigureAreLeftOutOfTheRatiosButTheirCostIsNot() {
        CostPerToken.Row row = CostPerToken.row(List.of(part("DCGM", 1, 1_000, "0.002", "0.002", "0", "0"),
                part("NONE", 3, 3_000, "0", "0.006", "0", "0.003")), false);

        assertThat(row.requests()).isEqualTo(4);
        assertThat(row.tokens()).isEqualTo(4_000);
        assertThat(row.tokensWithoutEnergy()).isEqualTo(3_000);
        assertThat(row.capacityCost()).isEqualByComparingTo("0.008");
        assertThat(row.cost()).isEqualByComparingTo("0.010");
        assertThat(row.idleCapacityCost()).isEqualByComparingTo("0.003");
        // 0.004 over the 1 000 measured tokens, not 0.010 over 4 000
        assertThat(row.costPerToken()).isEqualByComparingTo("0.000004");
        assertThat(row.fullyLoadedCostPerToken()).isEqualByComparingTo("0.000004");
        assertThat(row.energySources()).containsOnlyKeys("DCGM", "NONE");
        assertThat(row.energySources().get("NONE").tokens()).isEqualTo(3_000);
        assertThat(row.energySource()).isNull();
    }

    @Test
    void aRowWithoutMeasuredTokensHasNoRatio() {
        CostPerToken.Row row = CostPerToken.row(List.of(part("NONE", 1, 500, "0", "0.5", "0", "0")), false);

        assertThat(row.costPerToken()).isNull();
        assertThat(row.costPerMillionTokens()).isNull();
        assertThat(row.fullyLoadedCostPerToken()).isNull();
        assertThat(row.fullyLoadedCostPerMillionTokens()).isNull();
    }

    @Test
    void ratiosKeepTwelveDecimalsPerTokenAndSixPerMillion() {
        // 1 / 3 per token
        CostPerToken.Row row = CostPerToken.row(List.of(part("RAPL", 1, 3, "1", "0", "0", "0")), false);

        assertThat(row.costPerToken()).isEqualTo(new BigDecimal("0.333333333333"));
        assertThat(row.costPerMillionTokens()).isEqualTo(new BigDecimal("333333.333333"));
    }

    @Test
    void groupedBySourceARowNamesItsSourceInsteadOfAMix() {
        CostPerToken.Row row = CostPerToken.row(List.of(part("KEPLER", 1, 10, "0.1", "0", "0", "0")), true);

        assertThat(row.energySource()).isEqualTo("KEPLER");
        assertThat(row.energySources()).isNull();
        assertThat(row.model()).isEqualTo("llama");
        assertThat(row.department()).isEqualTo(DEPARTMENT);
    }

    private static CostPerToken.Part part(String source, long requests, long tokens, String energyCost,
            String capacityCost, String idleEnergyCost, String idleCapacityCost) {
        return new CostPerToken.Part("llama", DEPARTMENT, null, null, source, requests, tokens, BigDecimal.TEN,
                new BigDecimal(energyCost), new BigDecimal(capacityCost), new BigDecimal(idleEnergyCost),
                new BigDecimal(idleCapacityCost));
    }

}
