package io.tokenfactory.support.events;

import java.time.Duration;
import java.util.List;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
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
 * @param batchedTypes the event types (with their versions) whose events ready at the
 * same moment travel together as one CloudEvents batch message; every consumer of such a
 * type must read batches (metering-service reads {@code usage-recorded} and
 * {@code power-sampled} batches)
 * @param maxBatchEvents the most events one batch message carries
 */
public record OutboxSettings(@NotNull @DefaultValue("PT10S") Duration confirmTimeout,
        @NotNull @DefaultValue("PT15S") Duration resubmitInterval,
        @NotNull @DefaultValue("PT30S") Duration resubmitAfter,
        @NotNull @DefaultValue("P30D") Duration archiveRetention, @NotNull @DefaultValue List<String> batchedTypes,
        @Min(1) @Max(10_000) @DefaultValue("200") int maxBatchEvents) {

    public OutboxSettings {
        batchedTypes = List.copyOf(batchedTypes);
    }

}
