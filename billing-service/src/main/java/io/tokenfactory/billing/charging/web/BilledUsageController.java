package io.tokenfactory.billing.charging.web;

import java.time.Instant;

import io.tokenfactory.billing.charging.BilledUsage;
import io.tokenfactory.support.problem.QueryParameters;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** What was billed in [from, to), for metering-service's reconciliation (administrators). */
@RestController
class BilledUsageController {

    private final BilledUsage billed;

    BilledUsageController(BilledUsage billed) {
        this.billed = billed;
    }

    @GetMapping("/api/billing/usage-summary")
    BilledUsage.Billed summary(@RequestParam String from, @RequestParam String to) {
        Instant start = QueryParameters.instant("from", from);
        Instant end = QueryParameters.instant("to", to);
        if (!start.isBefore(end)) {
            throw QueryParameters.invalid("from must be before to");
        }
        return billed.between(start, end);
    }
}
