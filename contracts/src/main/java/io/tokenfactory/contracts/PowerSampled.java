package io.tokenfactory.contracts;

import java.time.Instant;
import java.util.UUID;

/**
 * inference-service → metering-service: the energy a device drew in one sampling window, and how much of it
 * was drawn while serving requests (the rest is idle energy).
 */
public record PowerSampled(
        UUID eventId,
        Instant occurredAt,
        String node,
        String device,
        String deviceKind,
        Instant windowStart,
        Instant windowEnd,
        double energyJoules,
        double busyEnergyJoules,
        EnergySource source) implements TokenFactoryEvent {

    @Override
    public String subject() {
        return "node/" + node + "/device/" + device;
    }
}
