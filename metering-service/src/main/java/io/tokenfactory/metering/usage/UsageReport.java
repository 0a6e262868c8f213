package io.tokenfactory.metering.usage;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Usage over a window. {@code from}/{@code to} are the window actually read: hour and day
 * buckets widen the asked window to whole buckets. Every row says where its energy came
 * from: {@code energySource} when grouped by it, else {@code energySources} (tokens and
 * joules per source); {@code tokensWithoutEnergy} counts the tokens that have no energy
 * figure at all (source {@code NONE}), which no joule figure covers.
 * {@code emissionsGramsCo2e} are the location-based emissions of the energy (direct and
 * facility overhead) at the carbon intensity of each request's node, over the
 * {@code tokensWithEmissions} they cover (tokens with an energy figure and an intensity
 * in force); emissions of estimated energy are estimates too, and the row's energy
 * sources say which.
 */
public record UsageReport(Instant from, Instant to, UsageQuery.Granularity granularity,
        List<UsageQuery.Dimension> groupBy, List<Row> rows, Totals totals) {

    /** One bucket of one group; dimensions not grouped by are absent. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Row(Instant start, UUID department, UUID agent, String model, String node, String energySource,
            long requests, long promptTokens, long completionTokens, long totalTokens, BigDecimal energyJoules,
            BigDecimal acceleratorSeconds, Map<String, SourceShare> energySources, long tokensWithoutEnergy,
            String user, BigDecimal emissionsGramsCo2e, long tokensWithEmissions, String team, String project,
            String deployment) {

        /** A row without a deployment. */
        public Row(Instant start, UUID department, UUID agent, String model, String node, String energySource,
                long requests, long promptTokens, long completionTokens, long totalTokens, BigDecimal energyJoules,
                BigDecimal acceleratorSeconds, Map<String, SourceShare> energySources, long tokensWithoutEnergy,
                String user, BigDecimal emissionsGramsCo2e, long tokensWithEmissions, String team, String project) {
            this(start, department, agent, model, node, energySource, requests, promptTokens, completionTokens,
                    totalTokens, energyJoules, acceleratorSeconds, energySources, tokensWithoutEnergy, user,
                    emissionsGramsCo2e, tokensWithEmissions, team, project, null);
        }

        /** A row without tags. */
        public Row(Instant start, UUID department, UUID agent, String model, String node, String energySource,
                long requests, long promptTokens, long completionTokens, long totalTokens, BigDecimal energyJoules,
                BigDecimal acceleratorSeconds, Map<String, SourceShare> energySources, long tokensWithoutEnergy,
                String user, BigDecimal emissionsGramsCo2e, long tokensWithEmissions) {
            this(start, department, agent, model, node, energySource, requests, promptTokens, completionTokens,
                    totalTokens, energyJoules, acceleratorSeconds, energySources, tokensWithoutEnergy, user,
                    emissionsGramsCo2e, tokensWithEmissions, null, null);
        }

        /** A row without emissions. */
        public Row(Instant start, UUID department, UUID agent, String model, String node, String energySource,
                long requests, long promptTokens, long completionTokens, long totalTokens, BigDecimal energyJoules,
                BigDecimal acceleratorSeconds, Map<String, SourceShare> energySources, long tokensWithoutEnergy,
                String user) {
            this(start, department, agent, model, node, energySource, requests, promptTokens, completionTokens,
                    totalTokens, energyJoules, acceleratorSeconds, energySources, tokensWithoutEnergy, user,
                    BigDecimal.ZERO, 0);
        }

        /**
         * gCO2e per 1,000 of the tokens the emissions cover; null when they cover none.
         */
        @JsonProperty("gramsCo2ePerThousandTokens")
        @JsonInclude(JsonInclude.Include.ALWAYS)
        public BigDecimal gramsCo2ePerThousandTokens() {
            return perThousand(emissionsGramsCo2e, tokensWithEmissions);
        }

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
            long tokensWithoutEnergy, BigDecimal emissionsGramsCo2e, long tokensWithEmissions) {

        /** Totals without emissions. */
        public Totals(long requests, long promptTokens, long completionTokens, long totalTokens,
                BigDecimal energyJoules, BigDecimal acceleratorSeconds, Map<String, SourceShare> energySources,
                long tokensWithoutEnergy) {
            this(requests, promptTokens, completionTokens, totalTokens, energyJoules, acceleratorSeconds, energySources,
                    tokensWithoutEnergy, BigDecimal.ZERO, 0);
        }

        @JsonProperty("gramsCo2ePerThousandTokens")
        public BigDecimal gramsCo2ePerThousandTokens() {
            return perThousand(emissionsGramsCo2e, tokensWithEmissions);
        }
    }

    static BigDecimal perThousand(BigDecimal grams, long tokens) {
        return tokens == 0 || grams == null ? null : grams.multiply(BigDecimal.valueOf(1000))
            .divide(BigDecimal.valueOf(tokens), 6, java.math.RoundingMode.HALF_EVEN);
    }
}
