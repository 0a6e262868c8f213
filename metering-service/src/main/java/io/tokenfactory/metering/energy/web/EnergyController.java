package io.tokenfactory.metering.energy.web;

import java.time.Clock;

import io.tokenfactory.metering.energy.EnergyBalance;
import io.tokenfactory.metering.web.RequestParameters.Window;
import io.tokenfactory.metering.web.WindowParameters;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.RestController;

/** Where the measured energy went, per node (administrators). */
@RestController
class EnergyController {

    private final EnergyBalance balance;

    private final Clock clock;

    EnergyController(EnergyBalance balance, Clock clock) {
        this.balance = balance;
        this.clock = clock;
    }

    @GetMapping("/api/metering/energy")
    EnergyBalance.Balance energy(@ModelAttribute WindowParameters parameters) {
        Window window = parameters.window(clock);
        return balance.between(window.from(), window.to());
    }

}
