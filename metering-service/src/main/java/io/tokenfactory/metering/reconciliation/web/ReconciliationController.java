package io.tokenfactory.metering.reconciliation.web;

import java.time.Clock;

import io.tokenfactory.metering.reconciliation.Reconciliation;
import io.tokenfactory.metering.reconciliation.ReconciliationService;
import io.tokenfactory.metering.web.RequestParameters.Window;
import io.tokenfactory.metering.web.WindowParameters;

import org.springframework.http.HttpHeaders;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/** Served by inference vs metered, for a window (administrators). */
@RestController
class ReconciliationController {

    private final ReconciliationService reconciliation;

    private final Clock clock;

    ReconciliationController(ReconciliationService reconciliation, Clock clock) {
        this.reconciliation = reconciliation;
        this.clock = clock;
    }

    @GetMapping("/api/metering/reconciliation")
    Reconciliation reconcile(@ModelAttribute WindowParameters parameters,
            @RequestHeader(HttpHeaders.AUTHORIZATION) String authorization) {
        Window window = parameters.window(clock);
        return reconciliation.reconcile(window.from(), window.to(), authorization);
    }

}
