package io.tokenfactory.metering.efficiency.web;

import java.time.Clock;

import io.tokenfactory.metering.efficiency.Efficiency;
import io.tokenfactory.metering.efficiency.EfficiencyQueries;
import io.tokenfactory.metering.usage.UsageQuery;
import io.tokenfactory.metering.web.RequestParameters;
import io.tokenfactory.metering.web.RequestParameters.Window;
import io.tokenfactory.support.problem.QueryParameters;
import io.tokenfactory.support.security.Caller;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Performance per watt by model, node, department and agent. A department key sees only its own department. */
@RestController
class EfficiencyController {

    private final EfficiencyQueries queries;
    private final Clock clock;

    EfficiencyController(EfficiencyQueries queries, Clock clock) {
        this.queries = queries;
        this.clock = clock;
    }

    @GetMapping("/api/metering/efficiency")
    Efficiency efficiency(@RequestParam(required = false) String from, @RequestParam(required = false) String to,
            @RequestParam(required = false) String groupBy, @RequestParam(required = false) String department,
            @RequestParam(required = false) String agent, @RequestParam(required = false) String model,
            @RequestParam(required = false) String node, @RequestParam(required = false) String energySource) {
        Window window = RequestParameters.window(from, to, clock);
        return queries.efficiency(window.from(), window.to(), UsageQuery.dimensions(groupBy), new EfficiencyQueries.Scope(
                Caller.current().scopeTo(QueryParameters.uuid("department", department)),
                QueryParameters.uuid("agent", agent), RequestParameters.text("model", model),
                RequestParameters.text("node", node), RequestParameters.energySource(energySource)));
    }
}
