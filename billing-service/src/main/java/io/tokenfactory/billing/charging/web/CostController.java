package io.tokenfactory.billing.charging.web;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.UUID;

import io.tokenfactory.billing.charging.CostPerToken;
import io.tokenfactory.support.problem.ApiProblemException;
import io.tokenfactory.support.security.Caller;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Cost per token by model, department, agent and node; a department key sees its own department only. */
@RestController
class CostController {

    private final CostPerToken costPerToken;

    CostController(CostPerToken costPerToken) {
        this.costPerToken = costPerToken;
    }

    @GetMapping("/api/billing/cost-per-token")
    CostPerToken.Report costPerToken(@RequestParam String from, @RequestParam String to,
            @RequestParam(required = false) String groupBy, @RequestParam(required = false) String department) {
        Instant start = instant("from", from);
        Instant end = instant("to", to);
        if (!start.isBefore(end) || Duration.between(start, end).toDays() > 400) {
            throw invalid("from must be before to, at most 400 days apart");
        }
        Set<CostPerToken.Dimension> dimensions = new LinkedHashSet<>();
        if (groupBy != null && !groupBy.isBlank()) {
            for (String name : groupBy.split(",")) {
                try {
                    dimensions.add(CostPerToken.Dimension.valueOf(name.trim().toUpperCase(java.util.Locale.ROOT)));
                } catch (IllegalArgumentException e) {
                    throw invalid("groupBy takes model, department, agent and node");
                }
            }
        }
        Caller caller = Caller.current();
        UUID asked = department == null || department.isBlank() ? null : uuid(department);
        if (!caller.isAdmin()) {
            if (caller.departmentId() == null || (asked != null && !asked.equals(caller.departmentId()))) {
                throw ApiProblemException.forbidden("A department key sees only its own department's costs");
            }
            asked = caller.departmentId();
        }
        return costPerToken.between(start, end, new ArrayList<>(dimensions), asked);
    }

    private static Instant instant(String name, String value) {
        try {
            Instant instant = Instant.parse(value);
            if (instant.isBefore(Instant.EPOCH) || instant.isAfter(Instant.parse("9999-12-31T00:00:00Z"))) {
                throw invalid(name + " must lie between 1970 and 9999");
            }
            return instant;
        } catch (DateTimeParseException e) {
            throw invalid(name + " must be an ISO-8601 instant such as 2026-11-27T10:00:00Z");
        }
    }

    private static UUID uuid(String value) {
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            throw invalid("department must be a UUID");
        }
    }

    private static ApiProblemException invalid(String detail) {
        return new ApiProblemException(HttpStatus.BAD_REQUEST, "invalid_parameter", "Invalid parameter", detail);
    }
}
