package io.tokenfactory.metering.efficiency;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.tokenfactory.metering.usage.UsageQuery.Dimension;

/**
 * Performance per watt over whole hours. Energy comes in three parts: direct (the requests' own), the idle share
 * (each node-hour's idle energy spread over its users by their direct energy) and the facility's overhead (PUE) on
 * both. {@code tokensPerJoule} counts direct energy only; {@code tokensPerJouleAllIn} counts all three, as the
 * electricity bill does. Watts and tokens per second average over the whole window.
 */
public record Efficiency(Instant from, Instant to, List<Dimension> groupBy, List<Row> rows) {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Row(UUID department, UUID agent, String model, String node, long requests, long tokens,
            BigDecimal directJoules, BigDecimal idleJoules, BigDecimal facilityOverheadJoules, BigDecimal allInJoules,
            BigDecimal tokensPerJoule, BigDecimal tokensPerJouleAllIn, BigDecimal joulesPerToken,
            BigDecimal averageWatts, BigDecimal tokensPerSecond) {
    }
}
