package io.tokenfactory.agents.runs;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import io.tokenfactory.agents.AgentProperties;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * This replica's view of whether inference answers. While it does not (gateway circuit
 * open, 503, connection refused), no run starts until the pause is over; the pause
 * doubles while inference stays away. Agents lose no retries over it: an unavailable
 * model is not the agent's failure.
 */
@Component
class InferenceAvailability {

    private final Clock clock;

    private final Duration first;

    private final Duration max;

    private Duration pause;

    private Instant closedUntil = Instant.EPOCH;

    @Autowired
    InferenceAvailability(Clock clock, AgentProperties properties) {
        this(clock, properties.runs().inferenceBackoff(), properties.runs().maxInferenceBackoff());
    }

    InferenceAvailability(Clock clock, Duration first, Duration max) {
        this.clock = clock;
        this.first = first;
        this.max = max;
        this.pause = first;
    }

    synchronized boolean isOpen() {
        return !clock.instant().isBefore(closedUntil);
    }

    /**
     * Inference did not answer: starts (or lengthens) the pause; returns when runs may
     * start again.
     */
    synchronized Instant unavailable() {
        Instant now = clock.instant();
        if (now.isBefore(closedUntil)) {
            return closedUntil;
        }
        closedUntil = now.plus(pause);
        pause = pause.multipliedBy(2).compareTo(max) > 0 ? max : pause.multipliedBy(2);
        return closedUntil;
    }

    synchronized void answered() {
        pause = first;
    }

}
