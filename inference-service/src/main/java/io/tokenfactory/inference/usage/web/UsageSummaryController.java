package io.tokenfactory.inference.usage.web;

import java.time.Instant;
import java.time.format.DateTimeParseException;

import io.tokenfactory.inference.usage.UsageSummary;
import io.tokenfactory.support.problem.ApiProblemException;

import org.springframework.http.HttpStatus;
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
        Instant start = instant("from", from);
        Instant end = instant("to", to);
        if (!start.isBefore(end)) {
            throw new ApiProblemException(HttpStatus.BAD_REQUEST, "invalid_parameter", "Invalid parameter",
                    "from must be before to");
        }
        return summary.between(start, end);
    }

    private static Instant instant(String name, String value) {
        Instant instant;
        try {
            instant = Instant.parse(value);
        } catch (DateTimeParseException e) {
            instant = null;
        }
        // within what PostgreSQL and java.sql.Timestamp both hold
        if (instant == null || instant.isBefore(Instant.EPOCH) || instant.isAfter(Instant.parse("9999-12-31T00:00:00Z"))) {
            throw new ApiProblemException(HttpStatus.BAD_REQUEST, "invalid_parameter", "Invalid parameter",
                    name + " must be an ISO-8601 instant between 1970 and 9999, such as 2026-11-27T10:00:00Z");
        }
        return instant;
    }
}
