package io.tokenfactory.billing.charging.web;

import io.tokenfactory.billing.charging.BilledUsage;

import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.RestController;

/**
 * What was billed in [from, to), for metering-service's reconciliation (administrators).
 */
@RestController
class BilledUsageController {

    private final BilledUsage billed;

    BilledUsageController(BilledUsage billed) {
        this.billed = billed;
    }

    @GetMapping("/api/billing/usage-summary")
    BilledUsage.Billed summary(@ModelAttribute BilledWindow window) throws MissingServletRequestParameterException {
        window.check();
        return billed.between(window.from(), window.to());
    }

}
