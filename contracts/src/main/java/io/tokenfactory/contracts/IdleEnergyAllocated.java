package io.tokenfactory.contracts;

import java.time.Instant;
import java.util.UUID;

/**
 * metering-service → billing-service: a department's share of the idle energy of one hour, in proportion to
 * its busy energy in that hour.
 */
public record IdleEnergyAllocated(
        UUID eventId,
        Instant occurredAt,
        UUID departmentId,
        Instant hourStart,
        double idleEnergyJoules) implements TokenFactoryEvent {

    @Override
    public String subject() {
        return "department/" + departmentId;
    }
}
