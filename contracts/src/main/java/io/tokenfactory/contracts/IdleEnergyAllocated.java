package io.tokenfactory.contracts;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * metering-service → billing-service: a department's share of the idle energy and idle
 * accelerator time of one hour, in proportion to its busy energy on each node in that
 * hour. Published once the hour is complete; late data publishes a correction with a
 * higher {@code revision} that replaces the earlier value (it is not added to it), so
 * applying the same or an older revision again changes nothing.
 *
 * @param idleEnergyJoules the department's share of idle energy in that hour (the sum
 * over {@code nodes})
 * @param facilityOverheadJoules the facility's overhead on that share: idle × (PUE − 1)
 * @param revision 1 for the first allocation of the hour, then one more per correction
 * @param nodes the same share per node, with the node's class and energy source, so idle
 * accelerator time can be priced at its class's capacity rate; empty from producers that
 * predate it
 */
public record IdleEnergyAllocated(UUID eventId, Instant occurredAt, UUID departmentId, Instant hourStart,
        BigDecimal idleEnergyJoules, BigDecimal facilityOverheadJoules, int revision,
        List<NodeShare> nodes) implements TokenFactoryEvent {

    public IdleEnergyAllocated {
        nodes = nodes == null ? List.of() : List.copyOf(nodes);
    }

    @Override
    public String subject() {
        return "department/" + departmentId;
    }

    /**
     * @param nodeClass null when the node declares none
     * @param idleAcceleratorSeconds the department's share of the node's idle accelerator
     * time in the hour
     */
    public record NodeShare(String node, String nodeClass, EnergySource energySource, BigDecimal idleEnergyJoules,
            BigDecimal facilityOverheadJoules, BigDecimal idleAcceleratorSeconds) {
    }
}
