package io.tokenfactory.inference.energy;

import java.time.Clock;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;

import io.tokenfactory.inference.InferenceProperties;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Chooses this instance's one power meter and keeps one ledger over it for every model. */
@Configuration(proxyBeanMethods = false)
class EnergyConfiguration {

    private static final Logger log = LoggerFactory.getLogger(EnergyConfiguration.class);

    @Bean
    PowerMeter powerMeter(InferenceProperties properties) {
        PowerMeter meter = PowerMeters.choose(properties.energy());
        log.info("Energy is measured by {} ({} {})", meter.source(), meter.deviceKind(), meter.device());
        return meter;
    }

    @Bean
    EnergyLedger energyLedger(PowerMeter meter, MeterRegistry meters) {
        EnergyLedger ledger = new EnergyLedger(meter, Clock.systemUTC());
        FunctionCounter.builder("tokenfactory.inference.energy.measured", meter, PowerMeter::joules)
                .baseUnit("joules").description("Energy the power meter measured").tag("source", meter.source().name())
                .register(meters);
        return ledger;
    }

    @Bean
    PowerWindows powerWindows(EnergyLedger ledger, PowerWindowRecording recording, InferenceProperties properties) {
        return new PowerWindows(ledger, recording, properties.energy().window());
    }
}
