package io.tokenfactory.contracts;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * metering-service → billing-service: usage records of one department once metered, with
 * the energy attributed to each. Metering ingests usage in batches, so one event carries
 * the records of one department from one batch; a consumer deduplicates on each item's
 * {@code usage.eventId()}, never on this event's id alone, so a batch sent again with
 * another grouping is still counted once.
 *
 * @param items the department's metered usage records, at least one
 */
public record UsageMetered(UUID eventId, Instant occurredAt, UUID departmentId,
        List<Item> items) implements TokenFactoryEvent {

    public UsageMetered {
        items = List.copyOf(items);
    }

    @Override
    public String subject() {
        return "department/" + departmentId;
    }

    /**
     * @param usage the usage exactly as inference-service recorded it
     * @param directEnergyJoules the request's own measured energy
     * @param facilityOverheadJoules the facility's share on top of it: direct × (PUE −
     * 1), PUE as effective when the request happened
     * @param pue that PUE
     * @param traceparent the W3C trace context of metering's span for this record, so
     * billing continues the request's trace below it; null when the request had none
     * @param emissionsGrams location-based emissions of its energy (direct and overhead)
     * in grams of CO2e, at the grid carbon intensity of its node when it happened; null
     * when no intensity is set for the node (or from producers that predate it). An
     * estimate of energy makes an estimate of emissions: its source is the usage's
     */
    public record Item(UsageRecorded usage, BigDecimal directEnergyJoules, BigDecimal facilityOverheadJoules,
            BigDecimal pue, String traceparent, BigDecimal emissionsGrams) {

        /** An item without emissions. */
        public Item(UsageRecorded usage, BigDecimal directEnergyJoules, BigDecimal facilityOverheadJoules,
                BigDecimal pue, String traceparent) {
            this(usage, directEnergyJoules, facilityOverheadJoules, pue, traceparent, null);
        }

        /** An item outside a trace. */
        public Item(UsageRecorded usage, BigDecimal directEnergyJoules, BigDecimal facilityOverheadJoules,
                BigDecimal pue) {
            this(usage, directEnergyJoules, facilityOverheadJoules, pue, null, null);
        }

    }
}
