package io.tokenfactory.inference.usage.web;

import java.beans.PropertyEditorSupport;
import java.time.Instant;

import io.tokenfactory.inference.usage.UsageSummary;
import io.tokenfactory.support.problem.QueryParameters;

import org.springframework.web.bind.WebDataBinder;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.InitBinder;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Requests and tokens served in [from, to), for metering-service's reconciliation
 * (administrators).
 */
@RestController
class UsageSummaryController {

    private final UsageSummary summary;

    UsageSummaryController(UsageSummary summary) {
        this.summary = summary;
    }

    @GetMapping("/api/inference/usage-summary")
    UsageSummary.Served summary(@RequestParam Instant from, @RequestParam Instant to) {
        if (!from.isBefore(to)) {
            throw QueryParameters.invalid("from must be before to");
        }
        return summary.between(from, to);
    }

    /**
     * Binds {@code from} and {@code to} as every service reads instants (ISO-8601,
     * between 1970 and 9999), so a bad one is the same 400 {@code invalid_parameter}
     * naming it, not a generic type mismatch.
     */
    @InitBinder({ "from", "to" })
    void instants(WebDataBinder binder) {
        String parameter = binder.getObjectName();
        binder.registerCustomEditor(Instant.class, new PropertyEditorSupport() {
            @Override
            public void setAsText(String text) {
                setValue(QueryParameters.instant(parameter, text));
            }
        });
    }

}
