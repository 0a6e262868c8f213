package io.tokenfactory.billing.charging.web;

import java.time.Duration;
import java.time.Instant;

import io.tokenfactory.billing.charging.CostPerToken;
import io.tokenfactory.support.problem.QueryParameters;
import io.tokenfactory.support.security.Caller;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Cost per token, busy and fully loaded, by model, department, agent, node and energy source; a department key sees
 * its own department only.
 */
@RestController
class CostController {

    private final CostPerToken costPerToken;

    CostController(CostPerToken costPerToken) {
        this.costPerToken = costPerToken;
    }

    @GetMapping("/api/billing/cost-per-token")
    CostPerToken.Report costPerToken(@RequestParam String from, @RequestParam String to,
            @RequestParam(required = false) String groupBy, @RequestParam(required = false) String department) {
        Instant start = QueryParameters.instant("from", from);
        Instant end = QueryParameters.instant("to", to);
        if (!start.isBefore(end) || Duration.between(start, end).toDays() > 400) {
            throw QueryParameters.invalid("from must be before to, at most 400 days apart");
        }
        return costPerToken.between(start, end, CostPerToken.Dimension.parse(groupBy),
                Caller.current().scopeTo(QueryParameters.uuid("department", department)));
    }
}
