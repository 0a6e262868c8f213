package io.tokenfactory.metering.usage;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import io.tokenfactory.support.problem.QueryParameters;
import java.util.UUID;

/**
 * What to read: a window, a bucket size, the dimensions to group by and the filters.
 *
 * @param department null: every department the caller may see
 * @param energySource null, or only usage whose energy came from this source
 * ({@code DCGM}, {@code NONE}, …)
 * @param team null, or only usage tagged with this team
 * @param project null, or only usage tagged with this project
 */
public record UsageQuery(Instant from, Instant to, Granularity granularity, List<Dimension> groupBy, UUID department,
        UUID agent, String model, String node, String energySource, String user, String team, String project) {

    public UsageQuery {
        groupBy = List.copyOf(groupBy);
    }

    /** A query without the tag filters. */
    public UsageQuery(Instant from, Instant to, Granularity granularity, List<Dimension> groupBy, UUID department,
            UUID agent, String model, String node, String energySource, String user) {
        this(from, to, granularity, groupBy, department, agent, model, node, energySource, user, null, null);
    }

    /** A query without the end-user filter. */
    public UsageQuery(Instant from, Instant to, Granularity granularity, List<Dimension> groupBy, UUID department,
            UUID agent, String model, String node, String energySource) {
        this(from, to, granularity, groupBy, department, agent, model, node, energySource, null);
    }

    /**
     * Whether it needs the end user of each request, which only the raw records keep (not
     * the rollups).
     */
    boolean byUser() {
        return user != null || team != null || project != null || groupBy.stream().anyMatch(Dimension::rawOnly);
    }

    public enum Granularity {

        MINUTE(ChronoUnit.MINUTES), HOUR(ChronoUnit.HOURS), DAY(ChronoUnit.DAYS), TOTAL(null);

        final ChronoUnit unit;

        Granularity(ChronoUnit unit) {
            this.unit = unit;
        }

    }

    public enum Dimension {

        DEPARTMENT("department_id", "department"), AGENT("agent_id", "agent"), MODEL("model", "model"),
        NODE("node", "node"), ENERGY_SOURCE("energy_source", "energySource"),
        /** OpenAI's {@code user} of each request: the client's own end user. */
        USER("end_user", "user"),
        /** The {@code team} cost tag of the key or agent that made each request. */
        TEAM("team", "team"),
        /** The {@code project} cost tag of the key or agent that made each request. */
        PROJECT("project", "project"),
        /**
         * The deployment that served each request (a model may have several, one per
         * node).
         */
        DEPLOYMENT("deployment", "deployment");

        /** Only the raw records keep it, not the rollups. */
        public boolean rawOnly() {
            return this == USER || this == TEAM || this == PROJECT || this == DEPLOYMENT;
        }

        final String column;

        /** How the API names it in {@code groupBy} and in CSV headers. */
        public final String parameter;

        Dimension(String column, String parameter) {
            this.column = column;
            this.parameter = parameter;
        }

        public String column() {
            return column;
        }

    }

    /** Parses {@code department,model}: each name once, in the order given. */
    public static List<Dimension> dimensions(String groupBy) {
        Set<Dimension> dimensions = new LinkedHashSet<>();
        if (groupBy != null && !groupBy.isBlank()) {
            for (String name : groupBy.split(",")) {
                Dimension dimension = Arrays.stream(Dimension.values())
                    .filter(candidate -> candidate.parameter.equalsIgnoreCase(name.trim()))
                    .findFirst()
                    .orElseThrow(() -> QueryParameters
                        .invalid("groupBy takes department, agent, model, node, energySource, user, team, project and "
                                + "deployment"));
                dimensions.add(dimension);
            }
        }
        return List.copyOf(dimensions);
    }

    public Duration length() {
        return Duration.between(from, to);
    }
}
