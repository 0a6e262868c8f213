package io.tokenfactory.metering.efficiency;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.tokenfactory.metering.usage.UsageQuery.Dimension;

/**
 * Performance per watt over whole hours. Energy comes in three parts: direct (the
 * requests' own), the idle share (each node-hour's idle energy spread over its users by
 * their direct energy) and the facility's overhead (PUE) on both. Ratios count only the
 * tokens that have an energy figure: {@code tokensWithoutEnergy} (source {@code NONE})
 * are reported apart, and a row with no energy figure at all has no ratio ({@code null}),
 * never an infinite or inflated one. {@code tokensPerJoule} counts direct energy only;
 * {@code tokensPerJouleAllIn} counts all three, as the electricity bill does. Watts and
 * tokens per second average over the whole window. Every row says where its energy came
 * from: {@code energySource} when grouped by it, else {@code energySources} (tokens and
 * joules per source). Dimensions not grouped by are absent; ratios are always present,
 * {@code null} when they have no meaning. {@code emissionsGramsCo2e} are the
 * location-based emissions of the requests' direct energy and its facility overhead at
 * the grid carbon intensity of their nodes (idle energy is not in them);
 * {@code gramsCo2ePerThousandTokens} divides them by the tokens they cover (those with an
 * energy figure and an intensity in force). Emissions of estimated energy are estimates
 * too: the row's energy sources say which.
 */
public record Efficiency(Instant from, Instant to, List<Dimension> groupBy, List<Row> rows) {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Row(UUID department, UUID agent, String model, String node, String energySource, long requests,
            long tokens, long tokensWithoutEnergy, BigDecimal directJoules, BigDecimal idleJoules,
            BigDecimal facilityOverheadJoules, BigDecimal allInJoules,
            @JsonInclude(JsonInclude.Include.ALWAYS) BigDecimal tokensPerJoule,
            @JsonInclude(JsonInclude.Include.ALWAYS) BigDecimal tokensPerJouleAllIn,
            @JsonInclude(JsonInclude.Include.ALWAYS) BigDecimal joulesPerToken,
            @JsonInclude(JsonInclude.Include.ALWAYS) BigDecimal averageWatts,
            @JsonInclude(JsonInclude.Include.ALWAYS) BigDecimal tokensPerSecond, Map<String, SourceShare> energySources,
            BigDecimal emissionsGramsCo2e,
            @JsonInclude(JsonInclude.Include.ALWAYS) BigDecimal gramsCo2ePerThousandTokens, String team, String project,
            String deployment) {
    }

    /** The tokens whose energy came from one source, and those direct joules. */
    public record SourceShare(long tokens, BigDecimal directJoules) {
    }
}
