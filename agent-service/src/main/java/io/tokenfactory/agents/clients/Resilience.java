package io.tokenfactory.agents.clients;

import java.time.Duration;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.stereotype.Component;

/**
 * One circuit breaker per downstream, named after it. Only failures to get an answer
 * count (unreachable, timed out): an answer of any status means the downstream is there.
 * Half of the last ten calls failing (at least five) opens the circuit for five seconds;
 * its state is the gauge {@code tokenfactory.agents.client.circuit.open} (1 open, 0 not).
 */
@Component
class Resilience {

    private final CircuitBreakerRegistry breakers = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
        .slidingWindowSize(10)
        .minimumNumberOfCalls(5)
        .failureRateThreshold(50)
        .waitDurationInOpenState(Duration.ofSeconds(5))
        .permittedNumberOfCallsInHalfOpenState(2)
        .build());

    private final MeterRegistry meters;

    Resilience(MeterRegistry meters) {
        this.meters = meters;
    }

    CircuitBreaker breaker(String downstream) {
        CircuitBreaker breaker = breakers.circuitBreaker(downstream);
        Gauge
            .builder("tokenfactory.agents.client.circuit.open", breaker,
                    b -> b.getState() == CircuitBreaker.State.OPEN ? 1 : 0)
            .tag("downstream", downstream)
            .register(meters);
        return breaker;
    }

}
