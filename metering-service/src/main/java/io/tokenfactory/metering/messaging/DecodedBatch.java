package io.tokenfactory.metering.messaging;

import java.util.List;

/**
 * One batch of deliveries from a binding, decoded: the events that may be ingested and
 * the deliveries that never can be (each with its reason), in delivery order.
 */
record DecodedBatch<T>(List<T> accepted, List<RejectedDelivery> rejected) {

    public DecodedBatch {
        accepted = List.copyOf(accepted);
        rejected = List.copyOf(rejected);
    }

    public int size() {
        return accepted.size() + rejected.size();
    }
}
