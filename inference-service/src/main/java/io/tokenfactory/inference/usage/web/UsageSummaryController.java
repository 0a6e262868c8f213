package io.tokenfactory.inference.usage.web;

import java.time.Instant;

import io.tokenfactory.inference.usage.UsageSummary;
import io.tokenfactory.support.problem.QueryParameters;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Requests and tokens served in [from, to), for metering-service's reconciliation (administrators). */
@RestController
class UsageSummaryController {

    private final UsageSummary summary;

    UsageSummaryController(UsageSummary summary) {
        this.summary = summary;
    }

    @GetMapping("/api/inference/usage-summary")
    UsageSummary.Served summary(@RequestParam String from, @RequestParam String to) {
        Instant start = QueryParameters.instant("from", from);
        Instant end = QueryParameters.instant("to", to);
        if (!start.isBefore(end)) {
            throw QueryParameters.invalid("from must be before to");
        }
        return summary.between(start, end);
    }
}
