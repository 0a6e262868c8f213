package io.tokenfactory.metering.carbon;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/**
 * A grid carbon intensity in force from an instant until the next one of the same scope
 * and target.
 *
 * @param target the node's or site's name; null for the factory
 * @param source where the figure comes from (a grid operator, Electricity Maps, a
 * contract …), for the report's reader; may be null
 */
public record CarbonIntensity(UUID id, CarbonScope scope, String target, Instant effectiveFrom, BigDecimal gramsPerKwh,
        String source, Instant createdAt) {
}
