package io.tokenfactory.inference;

import java.time.Duration;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How power caps (set through {@code /api/inference/power-caps}) are held
 * ({@code tokenfactory.inference.power}).
 *
 * @param batchReserve the share of a cap kept for interactive work: batch work (agents,
 * batch keys) is deferred once the draw it would add passes {@code cap × (1 − reserve)}
 * @param queueTimeout how long interactive work waits for headroom under a cap before it
 * gets 429
 * @param retryAfter what a deferred request's {@code Retry-After} says
 * @param refresh how often caps set by other replicas are read
 * @param nvmlPowerLimit lower a capped local GPU node's power limit through NVML as well
 * (needs the driver's permission, usually root); off by default
 */
public record PowerSettings(@DefaultValue("0.1") @DecimalMin("0") @DecimalMax("0.9") double batchReserve,
        @NotNull @DefaultValue("10s") Duration queueTimeout, @NotNull @DefaultValue("5s") Duration retryAfter,
        @NotNull @DefaultValue("2s") Duration refresh, @DefaultValue("false") boolean nvmlPowerLimit) {

}
