package io.tokenfactory.billing.charging.web;

import java.util.UUID;

import io.tokenfactory.billing.charging.BillingPeriods;
import io.tokenfactory.billing.charging.DepartmentSpend;
import io.tokenfactory.support.problem.ApiProblemException;
import io.tokenfactory.support.security.Caller;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.RestController;

/**
 * A department's spend, budget, state and forecast for a billing month (its own
 * department, or an administrator).
 */
@RestController
class SpendController {

    private final DepartmentSpend spend;

    private final BillingPeriods periods;

    SpendController(DepartmentSpend spend, BillingPeriods periods) {
        this.spend = spend;
        this.periods = periods;
    }

    @GetMapping("/api/billing/departments/{id}/spend")
    DepartmentSpend.Report spend(@PathVariable UUID id, @ModelAttribute SpendParameters parameters) {
        if (!Caller.current().mayRead(id)) {
            throw ApiProblemException.forbidden("A key of another department cannot read this department's spend");
        }
        return spend.of(id, parameters.periodOr(periods.currentPeriod()));
    }

}
