package io.tokenfactory.contracts;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/**
 * metering-service → billing-service: a department's share of the idle energy of one hour (summed over nodes), in
 * proportion to its busy energy on each node in that hour. Published once the hour is complete; late data publishes
 * a correction with a higher {@code revision} that replaces the earlier value (it is not added to it), so applying
 * the same or an older revision again changes nothing.
 *
 * @param idleEnergyJoules        the department's share of idle energy in that hour
 * @param facilityOverheadJoules  the facility's overhead on that share: idle × (PUE − 1)
 * @param revision                1 for the first allocation of the hour, then one more per correction
 */
public record IdleEnergyAllocated(
        UUID eventId,
        Instant occurredAt,
        UUID departmentId,
        Instant hourStart,
        BigDecimal idleEnergyJoules,
        BigDecimal facilityOverheadJoules,
        int revision) implements TokenFactoryEvent {

    @Override
    public String subject() {
        return "department/" + departmentId;
    }
}
