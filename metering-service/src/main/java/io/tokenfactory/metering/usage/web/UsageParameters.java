package io.tokenfactory.metering.usage.web;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.validation.constraints.Size;

import io.tokenfactory.contracts.EnergySource;
import io.tokenfactory.metering.usage.UsageQuery;
import io.tokenfactory.metering.usage.UsageQuery.Dimension;
import io.tokenfactory.metering.usage.UsageQuery.Granularity;
import io.tokenfactory.metering.web.RequestParameters;
import io.tokenfactory.metering.web.RequestParameters.Window;
import io.tokenfactory.support.problem.QueryParameters;
import io.tokenfactory.support.security.Caller;

/**
 * The usage API's query parameters, each optional: a window (the last day by default),
 * hour buckets by default, no grouping, the filters, and {@code format} ({@code json} or
 * {@code csv}, else the Accept header decides). {@code groupBy} stays text, read by
 * {@link UsageQuery#dimensions}: its grammar (names and commas, trailing commas ignored)
 * is not the one a list binding reads.
 */
record UsageParameters(Instant from, Instant to, Granularity granularity, String groupBy, UUID department, UUID agent,
        @Size(max = 200, message = "is longer than 200 characters") String model,
        @Size(max = 200, message = "is longer than 200 characters") String node, EnergySource energySource,
        @Size(max = 256, message = "is longer than 256 characters") String user,
        @Size(max = 100, message = "is longer than 100 characters") String team,
        @Size(max = 100, message = "is longer than 100 characters") String project, Format format) {

    /** How to answer. */
    enum Format {

        JSON, CSV;

        /** {@code json} or {@code csv}, in any case. */
        static Format read(String name, String value) {
            for (Format format : values()) {
                if (format.name().equalsIgnoreCase(value)) {
                    return format;
                }
            }
            throw QueryParameters.invalid("format must be json or csv");
        }

    }

    UsageParameters {
        granularity = granularity == null ? Granularity.HOUR : granularity;
        // a blank name filters nothing
        model = model == null || model.isBlank() ? null : model;
        node = node == null || node.isBlank() ? null : node;
        user = user == null || user.isBlank() ? null : user;
        team = team == null || team.isBlank() ? null : team;
        project = project == null || project.isBlank() ? null : project;
    }

    /**
     * The query these parameters ask for, limited to the departments the caller may read.
     */
    UsageQuery query(Clock clock, Caller caller) {
        Window window = RequestParameters.window(from, to, clock);
        List<Dimension> dimensions = UsageQuery.dimensions(groupBy);
        return new UsageQuery(window.from(), window.to(), granularity, dimensions, caller.scopeTo(department), agent,
                model, node, energySource == null ? null : energySource.name(), user, team, project);
    }

    /** CSV when {@code format} says so, else when the Accept header asks for it. */
    boolean wantsCsv(String accept) {
        return format == null ? accept != null && accept.contains("text/csv") : format == Format.CSV;
    }
}
