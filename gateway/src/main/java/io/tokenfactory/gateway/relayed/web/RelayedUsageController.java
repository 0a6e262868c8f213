package io.tokenfactory.gateway.relayed.web;

import java.time.Instant;

import io.tokenfactory.gateway.relayed.RelayedUsageSummary;
import io.tokenfactory.support.problem.QueryParameters;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The tokens relayed to clients in [from, to), whole hours, for metering-service's
 * reconciliation: asked like inference-service's usage summary, by an administrator's key
 * or with the identity token the gateway minted for one (metering passes its caller's
 * on). The query is blocking JDBC, so it runs off the event loop.
 */
@RestController
class RelayedUsageController {

    private final RelayedUsageSummary summary;

    RelayedUsageController(RelayedUsageSummary summary) {
        this.summary = summary;
    }

    @GetMapping("/api/gateway/relayed-usage")
    Mono<RelayedUsageSummary.Relayed> relayed(@RequestParam String from, @RequestParam String to) {
        Instant start = wholeHour("from", from);
        Instant end = wholeHour("to", to);
        if (!start.isBefore(end)) {
            throw QueryParameters.invalid("from must be before to");
        }
        return Mono.fromCallable(() -> summary.between(start, end)).subscribeOn(Schedulers.boundedElastic());
    }

    /** The gateway counts by the hour, so it answers for whole hours only. */
    private static Instant wholeHour(String name, String value) {
        Instant instant = QueryParameters.instant(name, value);
        if (instant.getEpochSecond() % 3600 != 0 || instant.getNano() != 0) {
            throw QueryParameters.invalid(name + " must be a whole hour, such as 2026-11-27T10:00:00Z");
        }
        return instant;
    }

}
