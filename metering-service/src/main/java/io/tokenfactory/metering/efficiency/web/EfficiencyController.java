package io.tokenfactory.metering.efficiency.web;

import java.time.Clock;

import jakarta.validation.Valid;

import io.tokenfactory.metering.efficiency.Efficiency;
import io.tokenfactory.metering.efficiency.EfficiencyQueries;
import io.tokenfactory.metering.web.RequestParameters.Window;
import io.tokenfactory.support.security.Caller;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.RestController;

/**
 * Performance per watt by model, node, department and agent. A department key sees only
 * its own department.
 */
@RestController
class EfficiencyController {

    private final EfficiencyQueries queries;

    private final Clock clock;

    EfficiencyController(EfficiencyQueries queries, Clock clock) {
        this.queries = queries;
        this.clock = clock;
    }

    @GetMapping("/api/metering/efficiency")
    Efficiency efficiency(@ModelAttribute @Valid EfficiencyParameters parameters) {
        Window window = parameters.window(clock);
        return queries.efficiency(window.from(), window.to(), parameters.dimensions(),
                parameters.scope(Caller.current()));
    }

}
