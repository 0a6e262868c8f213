package io.tokenfactory.metering.efficiency;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import io.tokenfactory.contracts.EnergySource;
import io.tokenfactory.metering.TimeBuckets;
import io.tokenfactory.metering.energy.FacilityOverhead;
import io.tokenfactory.metering.usage.UsageQuery.Dimension;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Tokens per joule, joules per token, watts and tokens per second for any grouping and
 * window (see {@link Efficiency}).
 */
@Service
public class EfficiencyQueries {

    private static final int RATIO_SCALE = 6;

    /**
     * The hourly sums by team, project and deployment, which the rollups do not keep,
     * read from the raw records with the rollups' columns (window bound twice: here and
     * below).
     */
    private static final String FROM_RAW = """
            (SELECT date_trunc('hour', occurred_at, 'UTC') AS hour_start, department_id, agent_id, model, node,
                energy_source, team, project, deployment, count(*) AS requests, sum(prompt_tokens) AS prompt_tokens,
                sum(completion_tokens) AS completion_tokens, sum(energy_joules) AS energy_joules,
                coalesce(sum(emissions_grams), 0) AS emissions_grams,
                coalesce(sum(prompt_tokens + completion_tokens) FILTER (WHERE emissions_grams IS NOT NULL), 0)
                    AS emissions_tokens
             FROM usage_record WHERE occurred_at >= ? AND occurred_at < ?
             GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9)""";

    public record Scope(UUID department, UUID agent, String model, String node, String energySource) {
    }

    /** One group's sums for one energy source, as the database answers them. */
    record Part(UUID department, UUID agent, String model, String node, String energySource, long requests, long tokens,
            BigDecimal direct, BigDecimal idle, BigDecimal overhead, BigDecimal emissionsGrams, long emissionsTokens,
            String team, String project, String deployment) {

        Part(UUID department, UUID agent, String model, String node, String energySource, long requests, long tokens,
                BigDecimal direct, BigDecimal idle, BigDecimal overhead) {
            this(department, agent, model, node, energySource, requests, tokens, direct, idle, overhead,
                    BigDecimal.ZERO, 0, null, null, null);
        }
    }

    private final JdbcTemplate jdbc;

    private final FacilityOverhead facility;

    EfficiencyQueries(JdbcTemplate jdbc, FacilityOverhead facility) {
        this.jdbc = jdbc;
        this.facility = facility;
    }

    @Transactional(readOnly = true)
    public Efficiency efficiency(Instant from, Instant to, List<Dimension> groupBy, Scope scope) {
        Instant start = TimeBuckets.floor(from, ChronoUnit.HOURS);
        Instant end = TimeBuckets.ceil(to, ChronoUnit.HOURS);
        StringBuilder dimensions = new StringBuilder();
        StringBuilder grouping = new StringBuilder(" GROUP BY u.energy_source");
        // USER is refused earlier: the raw-only dimensions here come from FROM_RAW
        boolean fromRaw = groupBy.stream().anyMatch(Dimension::rawOnly);
        for (Dimension dimension : Dimension.values()) {
            if (dimension == Dimension.ENERGY_SOURCE || dimension == Dimension.USER) {
                continue;
            }
            if (groupBy.contains(dimension)) {
                dimensions.append("u.").append(dimension.column()).append(", ");
                grouping.append(", u.").append(dimension.column());
            }
            else {
                dimensions.append("NULL, ");
            }
        }
        List<Object> parameters = new ArrayList<>(List.of(Timestamp.from(start), Timestamp.from(end)));
        if (fromRaw) {
            parameters.addAll(List.of(Timestamp.from(start), Timestamp.from(end)));
        }
        parameters.addAll(List.of(Timestamp.from(start), Timestamp.from(end)));
        StringBuilder filters = new StringBuilder();
        filter(filters, parameters, "department_id", scope.department());
        filter(filters, parameters, "agent_id", scope.agent());
        filter(filters, parameters, "model", scope.model());
        filter(filters, parameters, "node", scope.node());
        filter(filters, parameters, "energy_source", scope.energySource());
        String sql = """
                WITH pue AS %s,
                node_busy AS (
                    SELECT hour_start, node, sum(energy_joules) AS busy FROM usage_hourly
                    WHERE hour_start >= ? AND hour_start < ? GROUP BY hour_start, node),
                u AS (
                    SELECT u.*, CASE WHEN b.busy > 0 THEN u.energy_joules * COALESCE(n.idle_joules, 0) / b.busy ELSE 0 END
                            AS idle_share,
                        COALESCE((SELECT factor FROM pue WHERE pue.effective_from <= u.hour_start
                            AND (pue.until IS NULL OR pue.until > u.hour_start)), 1) - 1 AS overhead_factor
                    FROM %s u
                    JOIN node_busy b ON b.hour_start = u.hour_start AND b.node = u.node
                    LEFT JOIN node_hour n ON n.hour_start = u.hour_start AND n.node = u.node
                    WHERE u.hour_start >= ? AND u.hour_start < ?%s)
                SELECT %s u.energy_source, sum(u.requests), sum(u.prompt_tokens + u.completion_tokens),
                    sum(u.energy_joules), round(sum(u.idle_share), 9),
                    round(sum((u.energy_joules + u.idle_share) * u.overhead_factor), 9), sum(u.emissions_grams),
                    sum(u.emissions_tokens)
                FROM u%s
                ORDER BY 1, 2, 3, 4, 5
                LIMIT 100000"""
            .formatted(facility.asSqlTable(), fromRaw ? FROM_RAW : "usage_hourly", filters, dimensions, grouping);
        List<Part> parts = jdbc.query(sql,
                (row, i) -> new Part(row.getObject(1, UUID.class), row.getObject(2, UUID.class), row.getString(3),
                        row.getString(4), row.getString(8), row.getLong(9), row.getLong(10), row.getBigDecimal(11),
                        row.getBigDecimal(12), row.getBigDecimal(13), row.getBigDecimal(14), row.getLong(15),
                        row.getString(5), row.getString(6), row.getString(7)),
                parameters.toArray());
        BigDecimal seconds = BigDecimal.valueOf(Duration.between(start, end).toSeconds());
        boolean bySource = groupBy.contains(Dimension.ENERGY_SOURCE);
        Map<List<Object>, List<Part>> groups = new LinkedHashMap<>();
        for (Part part : parts) {
            groups
                .computeIfAbsent(
                        Arrays.asList(part.department(), part.agent(), part.model(), part.node(), part.team(),
                                part.project(), part.deployment(), bySource ? part.energySource() : null),
                        key -> new ArrayList<>())
                .add(part);
        }
        List<Efficiency.Row> rows = new ArrayList<>();
        groups.values().forEach(group -> rows.add(row(group, bySource, seconds)));
        return new Efficiency(start, end, groupBy, rows);
    }

    /**
     * One row from its parts (one per energy source) over a window of {@code seconds}.
     */
    static Efficiency.Row row(List<Part> group, boolean bySource, BigDecimal seconds) {
        Part first = group.get(0);
        long requests = 0;
        long tokens = 0;
        long withoutEnergy = 0;
        BigDecimal direct = BigDecimal.ZERO;
        BigDecimal idle = BigDecimal.ZERO;
        BigDecimal overhead = BigDecimal.ZERO;
        BigDecimal emissions = BigDecimal.ZERO;
        long emissionsTokens = 0;
        Map<String, Efficiency.SourceShare> mix = new TreeMap<>();
        for (Part part : group) {
            emissions = emissions.add(part.emissionsGrams());
            emissionsTokens += part.emissionsTokens();
            requests += part.requests();
            tokens += part.tokens();
            if (EnergySource.NONE.name().equals(part.energySource())) {
                withoutEnergy += part.tokens();
            }
            direct = direct.add(part.direct());
            idle = idle.add(part.idle());
            overhead = overhead.add(part.overhead());
            mix.put(part.energySource(), new Efficiency.SourceShare(part.tokens(), part.direct()));
        }
        BigDecimal allIn = direct.add(idle).add(overhead);
        // tokens without an energy figure are not "free": they are left out of every
        // ratio
        BigDecimal measuredTokens = BigDecimal.valueOf(tokens - withoutEnergy);
        return new Efficiency.Row(first.department(), first.agent(), first.model(), first.node(),
                bySource ? first.energySource() : null, requests, tokens, withoutEnergy, direct, idle, overhead, allIn,
                ratio(measuredTokens, direct), ratio(measuredTokens, allIn), ratio(allIn, measuredTokens),
                ratio(allIn, seconds), ratio(BigDecimal.valueOf(tokens), seconds), bySource ? null : mix,
                emissionsTokens == 0 ? null : emissions, perThousandTokens(emissions, emissionsTokens), first.team(),
                first.project(), first.deployment());
    }

    /**
     * Grams per 1,000 tokens; 0 g at a 0 g/kWh intensity is a figure, no tokens with an
     * intensity is none (null).
     */
    static BigDecimal perThousandTokens(BigDecimal grams, long tokens) {
        return tokens == 0 ? null : grams.multiply(BigDecimal.valueOf(1000))
            .divide(BigDecimal.valueOf(tokens), RATIO_SCALE, RoundingMode.HALF_EVEN);
    }

    /**
     * null when either side is zero: "no energy measured" is neither "infinitely
     * efficient" nor "no tokens".
     */
    private static BigDecimal ratio(BigDecimal numerator, BigDecimal denominator) {
        return denominator.signum() == 0 || numerator.signum() == 0 ? null
                : numerator.divide(denominator, RATIO_SCALE, RoundingMode.HALF_EVEN);
    }

    private static void filter(StringBuilder sql, List<Object> parameters, String column, Object value) {
        if (value != null) {
            sql.append(" AND u.").append(column).append(" = ?");
            parameters.add(value);
        }
    }

}
