package io.tokenfactory.billing.charging.web;

import io.tokenfactory.billing.charging.CostPerToken;
import io.tokenfactory.support.security.Caller;

import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.RestController;

/**
 * Cost per token, busy and fully loaded, by model, department, agent, node and energy
 * source; a department key sees its own department only.
 */
@RestController
class CostController {

    private final CostPerToken costPerToken;

    CostController(CostPerToken costPerToken) {
        this.costPerToken = costPerToken;
    }

    @GetMapping("/api/billing/cost-per-token")
    CostPerToken.Report costPerToken(@ModelAttribute CostParameters parameters)
            throws MissingServletRequestParameterException {
        parameters.checkWindow();
        return costPerToken.between(parameters.from(), parameters.to(), parameters.dimensions(),
                Caller.current().scopeTo(parameters.department()));
    }

}
