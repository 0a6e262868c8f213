package io.tokenfactory.contracts;

import java.time.Instant;
import java.util.UUID;

/**
 * inference-service → metering-service: the energy a node's devices drew in one sampling
 * window, and how much of it was drawn while requests were in flight (the rest is idle
 * energy). Exactly one replica (the node's meter owner) publishes a node's windows, so a
 * node is never counted twice.
 *
 * @param device what was metered, for example {@code gpu0,gpu1} or {@code cpu-package}
 * @param nodeClass the node's class for capacity rates; null when it declares none
 * @param acceleratorSeconds the window's length times the node's metered accelerators
 * @param busyAcceleratorSeconds the part of it in which requests were in flight
 * @param gapSeconds the part of the window without meter readings (an exporter outage, a
 * new meter owner): energy drawn then is included only where the counter still told it
 */
public record PowerSampled(UUID eventId, Instant occurredAt, String node, String device, String deviceKind,
        Instant windowStart, Instant windowEnd, double energyJoules, double busyEnergyJoules, EnergySource source,
        String nodeClass, Double acceleratorSeconds, Double busyAcceleratorSeconds,
        Double gapSeconds) implements TokenFactoryEvent {

    public PowerSampled {
        // absent in events of producers that predate them
        acceleratorSeconds = acceleratorSeconds == null ? 0.0 : acceleratorSeconds;
        busyAcceleratorSeconds = busyAcceleratorSeconds == null ? 0.0 : busyAcceleratorSeconds;
        gapSeconds = gapSeconds == null ? 0.0 : gapSeconds;
    }

    @Override
    public String subject() {
        return "node/" + node + "/device/" + device;
    }
}
