package io.tokenfactory.metering.efficiency.web;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.validation.constraints.Size;

import io.tokenfactory.contracts.EnergySource;
import io.tokenfactory.metering.efficiency.EfficiencyQueries;
import io.tokenfactory.metering.usage.UsageQuery;
import io.tokenfactory.metering.usage.UsageQuery.Dimension;
import io.tokenfactory.metering.web.RequestParameters;
import io.tokenfactory.support.problem.QueryParameters;
import io.tokenfactory.support.security.Caller;

/**
 * The efficiency API's query parameters, each optional: a window (the last day by
 * default), a grouping (text, read by {@link UsageQuery#dimensions}), and filters.
 */
record EfficiencyParameters(Instant from, Instant to, String groupBy, UUID department, UUID agent,
        @Size(max = 200, message = "is longer than 200 characters") String model,
        @Size(max = 200, message = "is longer than 200 characters") String node, EnergySource energySource) {

    EfficiencyParameters {
        // a blank name filters nothing
        model = model == null || model.isBlank() ? null : model;
        node = node == null || node.isBlank() ? null : node;
    }

    RequestParameters.Window window(Clock clock) {
        return RequestParameters.window(from, to, clock);
    }

    List<Dimension> dimensions() {
        List<Dimension> dimensions = UsageQuery.dimensions(groupBy);
        if (dimensions.contains(Dimension.USER)) {
            // efficiency is read from hourly sums, which keep no end user
            throw QueryParameters.invalid("groupBy=user is answered by /api/metering/usage, not by efficiency");
        }
        return dimensions;
    }

    /** The filters, limited to the departments the caller may read. */
    EfficiencyQueries.Scope scope(Caller caller) {
        return new EfficiencyQueries.Scope(caller.scopeTo(department), agent, model, node,
                energySource == null ? null : energySource.name());
    }
}
