package io.tokenfactory.metering.energy;

import io.tokenfactory.metering.MeteringProperties;
import io.tokenfactory.support.lifecycle.PeriodicTask;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Runs {@link IdleAllocation} on a schedule until nothing is due; a failed round is tried
 * again next time.
 */
@Component
class IdleEnergyAllocator extends PeriodicTask {

    private static final Logger log = LoggerFactory.getLogger(IdleEnergyAllocator.class);

    private final IdleAllocation allocation;

    IdleEnergyAllocator(IdleAllocation allocation, MeteringProperties properties) {
        super("idle-energy-allocator", properties.energy().allocationInterval());
        this.allocation = allocation;
    }

    @Override
    protected void runOnce() {
        try {
            int allocated;
            do {
                allocated = allocation.allocateDue();
            }
            while (allocated > 0 && !Thread.currentThread().isInterrupted());
        }
        catch (RuntimeException e) {
            log.warn("Allocating idle energy failed; will try again: {}", e.getMessage());
        }
    }

}
