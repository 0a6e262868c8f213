package io.tokenfactory.support.events;

import java.time.Duration;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How a service's consumers retry before they park a message as a dead letter; nested as
 * {@code consumers} in each consuming service's properties.
 *
 * @param maxAttempts how often a message that fails for any reason but a transient one is
 * tried before it is parked (a {@link RejectedEventException} is tried once; a transient
 * failure is retried for as long as it lasts)
 * @param firstDelay the pause after the first failed try; it doubles after each further
 * one
 * @param maxDelay the longest pause between two tries
 */
public record ConsumerSettings(@Min(1) @Max(100) @DefaultValue("3") int maxAttempts,
        @NotNull @DefaultValue("PT0.5S") Duration firstDelay, @NotNull @DefaultValue("PT30S") Duration maxDelay) {
}
