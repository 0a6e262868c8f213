package io.tokenfactory.billing.charging;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.tokenfactory.contracts.EnergySource;
import io.tokenfactory.support.problem.QueryParameters;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The platform's headline number: cost per token = (energy cost + capacity cost) /
 * tokens, for any grouping by model, department, agent, node and energy source and any
 * window of usage time, from the priced usage. Busy cost is what the requests' own joules
 * and accelerator-seconds cost; fully loaded adds each node-hour's idle energy and idle
 * accelerator time, apportioned to the requests of the departments it was allocated to by
 * their direct energy — what a token really cost. Ratios count only tokens with an energy
 * figure ({@code tokensWithoutEnergy} apart); every row says where its energy came from
 * ({@code energySource} when grouped by it, else {@code energySources}).
 */
@Service
public class CostPerToken {

    public enum Dimension {

        MODEL("model", "model"), DEPARTMENT("department_id", "department"), AGENT("agent_id", "agent"),
        NODE("node", "node"), ENERGY_SOURCE("energy_source", "energySource"),
        /** The {@code team} cost tag of the key or agent that made each request. */
        TEAM("team", "team"),
        /** The {@code project} cost tag of the key or agent that made each request. */
        PROJECT("project", "project");

        final String column;

        /** How the API names it in {@code groupBy}. */
        final String parameter;

        Dimension(String column, String parameter) {
            this.column = column;
            this.parameter = parameter;
        }

        /** Parses {@code model,energySource}: each name once, in the order given. */
        public static List<Dimension> parse(String groupBy) {
            Set<Dimension> dimensions = new LinkedHashSet<>();
            if (groupBy != null && !groupBy.isBlank()) {
                for (String name : groupBy.split(",")) {
                    dimensions.add(Arrays.stream(values())
                        .filter(d -> d.parameter.equalsIgnoreCase(name.trim()))
                        .findFirst()
                        .orElseThrow(() -> QueryParameters
                            .invalid("groupBy takes model, department, agent, node, energySource, team and project")));
                }
            }
            return List.copyOf(dimensions);
        }

    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Row(String model, UUID department, UUID agent, String node, String energySource, long requests,
            long tokens, long tokensWithoutEnergy, BigDecimal energyCost, BigDecimal capacityCost, BigDecimal cost,
            @JsonInclude(JsonInclude.Include.ALWAYS) BigDecimal costPerToken,
            @JsonInclude(JsonInclude.Include.ALWAYS) BigDecimal costPerMillionTokens, BigDecimal idleEnergyCost,
            BigDecimal idleCapacityCost, BigDecimal fullyLoadedCost,
            @JsonInclude(JsonInclude.Include.ALWAYS) BigDecimal fullyLoadedCostPerToken,
            @JsonInclude(JsonInclude.Include.ALWAYS) BigDecimal fullyLoadedCostPerMillionTokens,
            Map<String, SourceShare> energySources, String team, String project) {
    }

    /**
     * The tokens whose energy came from one source, their direct joules and what their
     * energy cost.
     */
    public record SourceShare(long tokens, BigDecimal directJoules, BigDecimal energyCost) {
    }

    public record Report(Instant from, Instant to, String currency, List<Dimension> groupBy, List<Row> rows) {
    }

    /** One group's sums for one energy source, as the database answers them. */
    record Part(String model, UUID department, UUID agent, String node, String source, long requests, long tokens,
            BigDecimal directJoules, BigDecimal energyCost, BigDecimal capacityCost, BigDecimal idleEnergyCost,
            BigDecimal idleCapacityCost, String team, String project) {

        Part(String model, UUID department, UUID agent, String node, String source, long requests, long tokens,
                BigDecimal directJoules, BigDecimal energyCost, BigDecimal capacityCost, BigDecimal idleEnergyCost,
                BigDecimal idleCapacityCost) {
            this(model, department, agent, node, source, requests, tokens, directJoules, energyCost, capacityCost,
                    idleEnergyCost, idleCapacityCost, null, null);
        }
    }

    private final JdbcTemplate jdbc;

    private final BillingPeriods periods;

    CostPerToken(JdbcTemplate jdbc, BillingPeriods periods) {
        this.jdbc = jdbc;
        this.periods = periods;
    }

    /**
     * @param department null: all departments (administrators)
     */
    @Transactional(readOnly = true)
    public Report between(Instant from, Instant to, List<Dimension> groupBy, UUID department) {
        StringBuilder select = new StringBuilder();
        StringBuilder grouping = new StringBuilder(" GROUP BY s.energy_source");
        for (Dimension dimension : Dimension.values()) {
            if (dimension == Dimension.ENERGY_SOURCE) {
                continue;
            }
            if (groupBy.contains(dimension)) {
                select.append("s.").append(dimension.column).append(", ");
                grouping.append(", s.").append(dimension.column);
            }
            else {
                select.append("NULL, ");
            }
        }
        List<Object> parameters = new ArrayList<>(Arrays.asList(Timestamp.from(from), Timestamp.from(to), department,
                department, Timestamp.from(from.truncatedTo(ChronoUnit.HOURS)), Timestamp.from(to), department,
                department));
        String sql = """
                WITH u AS (
                    SELECT *, date_trunc('hour', occurred_at, 'UTC') AS hour FROM usage_charge
                    WHERE occurred_at >= ? AND occurred_at < ? AND (?::uuid IS NULL OR department_id = ?)),
                busy AS (SELECT department_id, hour, node, sum(direct_joules) AS joules FROM u GROUP BY 1, 2, 3),
                idle AS (
                    SELECT department_id, hour_start, node, energy_cost, capacity_cost FROM idle_charge_node
                    WHERE hour_start >= ? AND hour_start < ? AND (?::uuid IS NULL OR department_id = ?)),
                s AS (
                    SELECT u.*,
                        CASE WHEN b.joules > 0 THEN COALESCE(i.energy_cost, 0) * u.direct_joules / b.joules ELSE 0 END
                            AS idle_energy_cost,
                        CASE WHEN b.joules > 0 THEN COALESCE(i.capacity_cost, 0) * u.direct_joules / b.joules ELSE 0 END
                            AS idle_capacity_cost
                    FROM u JOIN busy b ON b.department_id = u.department_id AND b.hour = u.hour AND b.node = u.node
                    LEFT JOIN idle i ON i.department_id = u.department_id AND i.hour_start = u.hour AND i.node = u.node)
                SELECT %s s.energy_source, count(*), COALESCE(sum(s.prompt_tokens + s.completion_tokens
                        + s.embedding_tokens), 0), COALESCE(sum(s.direct_joules), 0), COALESCE(sum(s.energy_cost), 0),
                    COALESCE(sum(s.capacity_cost), 0), round(COALESCE(sum(s.idle_energy_cost), 0), 12),
                    round(COALESCE(sum(s.idle_capacity_cost), 0), 12)
                FROM s%s ORDER BY 1, 2, 3, 4, 5, 6, 7 LIMIT 10000""".formatted(select, grouping);
        List<Part> parts = jdbc.query(sql,
                (row, i) -> new Part(row.getString(1), row.getObject(2, UUID.class), row.getObject(3, UUID.class),
                        row.getString(4), row.getString(7), row.getLong(8), row.getLong(9), row.getBigDecimal(10),
                        row.getBigDecimal(11), row.getBigDecimal(12), row.getBigDecimal(13), row.getBigDecimal(14),
                        row.getString(5), row.getString(6)),
                parameters.toArray());
        boolean bySource = groupBy.contains(Dimension.ENERGY_SOURCE);
        Map<List<Object>, List<Part>> groups = new LinkedHashMap<>();
        for (Part part : parts) {
            groups
                .computeIfAbsent(Arrays.asList(part.model(), part.department(), part.agent(), part.node(), part.team(),
                        part.project(), bySource ? part.source() : null), key -> new ArrayList<>())
                .add(part);
        }
        List<Row> rows = new ArrayList<>();
        groups.values().forEach(group -> rows.add(row(group, bySource)));
        return new Report(from, to, periods.currency(), groupBy, rows);
    }

    /**
     * One row from its parts (one per energy source): sums, and cost per token over the
     * tokens with an energy figure only, busy and fully loaded.
     */
    static Row row(List<Part> group, boolean bySource) {
        Part first = group.get(0);
        long requests = 0;
        long tokens = 0;
        long withoutEnergy = 0;
        BigDecimal energy = BigDecimal.ZERO;
        BigDecimal capacity = BigDecimal.ZERO;
        BigDecimal idleEnergy = BigDecimal.ZERO;
        BigDecimal idleCapacity = BigDecimal.ZERO;
        // what the tokens with an energy figure cost, busy and idle: a request without
        // one may still hold
        // accelerator time, and it is left out of the ratios with its tokens
        BigDecimal costedBusy = BigDecimal.ZERO;
        BigDecimal costedIdle = BigDecimal.ZERO;
        Map<String, SourceShare> mix = new TreeMap<>();
        for (Part part : group) {
            requests += part.requests();
            tokens += part.tokens();
            if (EnergySource.NONE.name().equals(part.source())) {
                withoutEnergy += part.tokens();
            }
            else {
                costedBusy = costedBusy.add(part.energyCost()).add(part.capacityCost());
                costedIdle = costedIdle.add(part.idleEnergyCost()).add(part.idleCapacityCost());
            }
            energy = energy.add(part.energyCost());
            capacity = capacity.add(part.capacityCost());
            idleEnergy = idleEnergy.add(part.idleEnergyCost());
            idleCapacity = idleCapacity.add(part.idleCapacityCost());
            mix.put(part.source(), new SourceShare(part.tokens(), part.directJoules(), part.energyCost()));
        }
        BigDecimal cost = energy.add(capacity);
        BigDecimal fullyLoaded = cost.add(idleEnergy).add(idleCapacity);
        long costed = tokens - withoutEnergy;
        BigDecimal perToken = perToken(costedBusy, costed);
        BigDecimal fullyLoadedPerToken = perToken(costedBusy.add(costedIdle), costed);
        return new Row(first.model(), first.department(), first.agent(), first.node(), bySource ? first.source() : null,
                requests, tokens, withoutEnergy, energy, capacity, cost, perToken, perMillion(perToken), idleEnergy,
                idleCapacity, fullyLoaded, fullyLoadedPerToken, perMillion(fullyLoadedPerToken), bySource ? null : mix,
                first.team(), first.project());
    }

    private static BigDecimal perToken(BigDecimal cost, long tokens) {
        return tokens == 0 ? null : cost.divide(BigDecimal.valueOf(tokens), 12, RoundingMode.HALF_EVEN);
    }

    private static BigDecimal perMillion(BigDecimal perToken) {
        return perToken == null ? null : perToken.movePointRight(6).setScale(6, RoundingMode.HALF_EVEN);
    }

}
