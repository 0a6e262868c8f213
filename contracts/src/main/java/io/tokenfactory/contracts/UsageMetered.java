package io.tokenfactory.contracts;

import java.time.Instant;
import java.util.UUID;

/**
 * metering-service → billing-service: a usage record once metered, with the energy attributed to it.
 *
 * @param usage                   the usage exactly as it was recorded
 * @param attributedEnergyJoules  the request's direct energy as metering attributed it
 */
public record UsageMetered(
        UUID eventId,
        Instant occurredAt,
        UsageRecorded usage,
        double attributedEnergyJoules) implements TokenFactoryEvent {

    @Override
    public String subject() {
        return usage.subject();
    }
}
