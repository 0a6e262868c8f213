package io.tokenfactory.inference;

import java.util.Map;
import java.util.UUID;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * A fair share of the factory: how the local engines' queues and the remote servers'
 * concurrency admit work when it has to wait.
 *
 * @param enabled weighted fair queuing per department (true), or first come, first served
 * across departments and priority classes (false: the behaviour before fair sharing, kept
 * for comparison)
 * @param weights a department's weight (by its id; 1 when not listed): under contention
 * each waiting department is admitted work in proportion to its weight — served tokens
 * over weight are kept level
 * @param batchShare while a department has both interactive and batch work waiting, the
 * share of its admissions that go to its batch work (0.1: one in ten), so batch work is
 * never starved by its own department's interactive work; 0 admits batch work only when
 * none of its department's interactive work waits
 * @param newcomerSlots slots a remote server may take beyond its concurrency limit, each
 * for a department with nothing in flight to it: a department that sends now and then is
 * served at once rather than after the next slot a flooding one frees (0: none)
 */
public record FairShareSettings(@DefaultValue("true") boolean enabled,
        @Nullable Map<UUID, @NotNull @Positive @DecimalMax("1000") Double> weights,
        @DefaultValue("0.1") @DecimalMin("0") @DecimalMax("0.5") double batchShare,
        @DefaultValue("2") @Min(0) @Max(64) int newcomerSlots) {

    /** First come, first served, as before fair sharing. */
    public static final FairShareSettings FIRST_COME_FIRST_SERVED = new FairShareSettings(false, Map.of(), 0.1, 0);

    public FairShareSettings {
        weights = weights == null ? Map.of() : Map.copyOf(weights);
    }

    /**
     * Equal shares for every department, interactive ahead of batch, no newcomer slots.
     */
    public static FairShareSettings equalShares() {
        return new FairShareSettings(true, Map.of(), 0.1, 0);
    }

    public FairShareSettings withNewcomerSlots(int slots) {
        return new FairShareSettings(enabled, weights, batchShare, slots);
    }

    /** The department's weight: configured, else 1. */
    public double weight(UUID department) {
        Map<UUID, Double> configured = weights;
        Double weight = configured == null ? null : configured.get(department);
        return weight == null ? 1.0 : weight;
    }

}
