package io.tokenfactory.metering.usage;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Usage over a window. {@code from}/{@code to} are the window actually read: hour and day
 * buckets widen the asked window to whole buckets. Every row says where its energy came
 * from: {@code energySource} when grouped by it, else {@code energySources} (tokens and
 * joules per source); {@code tokensWithoutEnergy} counts the tokens that have no energy
 * figure at all (source {@code NONE}), which no joule figure covers.
 */
public record UsageReport(Instant from, Instant to, UsageQuery.Granularity granularity,
        List<UsageQuery.Dimension> groupBy, List<Row> rows, Totals totals) {

    /** One bucket of one group; dimensions not grouped by are absent. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Row(Instant start, UUID department, UUID agent, String model, String node, String energySource,
            long requests, long promptTokens, long completionTokens, long totalTokens, BigDecimal energyJoules,
            BigDecimal acceleratorSeconds, Map<String, SourceShare> energySources, long tokensWithoutEnergy,
            String user) {

        /** A row not grouped by end user. */
        public Row(Instant start, UUID department, UUID agent, String model, String node, String energySource,
                long requests, long promptTokens, long completionTokens, long totalTokens, BigDecimal energyJoules,
                BigDecimal acceleratorSeconds, Map<String, SourceShare> energySources, long tokensWithoutEnergy) {
            this(start, department, agent, model, node, energySource, requests, promptTokens, completionTokens,
                    totalTokens, energyJoules, acceleratorSeconds, energySources, tokensWithoutEnergy, null);
        }

    }

    /** The tokens whose energy came from one source, and those joules. */
    public record SourceShare(long tokens, BigDecimal energyJoules) {

        SourceShare plus(SourceShare other) {
            return new SourceShare(tokens + other.tokens, energyJoules.add(other.energyJoules));
        }
    }

    public record Totals(long requests, long promptTokens, long completionTokens, long totalTokens,
            BigDecimal energyJoules, BigDecimal acceleratorSeconds, Map<String, SourceShare> energySources,
            long tokensWithoutEnergy) {
    }
}
