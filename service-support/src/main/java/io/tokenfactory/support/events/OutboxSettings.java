package io.tokenfactory.support.events;

import java.time.Duration;

import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How a service's outbox talks to the broker; nested as {@code outbox} in each producing
 * service's properties.
 *
 * @param confirmTimeout how long a send waits for the broker's publisher confirm
 * @param resubmitInterval how often incomplete publications are looked for
 * @param resubmitAfter how old an incomplete publication must be before it is sent again
 * @param archiveRetention how long completed publications are kept in the archive table
 */
public record OutboxSettings(@NotNull @DefaultValue("PT10S") Duration confirmTimeout,
        @NotNull @DefaultValue("PT15S") Duration resubmitInterval,
        @NotNull @DefaultValue("PT30S") Duration resubmitAfter,
        @NotNull @DefaultValue("P30D") Duration archiveRetention) {
}
