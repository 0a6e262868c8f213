package io.tokenfactory.metering.messaging;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One batch of deliveries from a binding, decoded: the events that may be ingested (each
 * with the delivery it came in, for its dead letter should writing it fail) and the
 * deliveries that never can be (each with its reason), in delivery order.
 */
record DecodedBatch<T>(List<Accepted<T>> accepted, List<RejectedDelivery> rejected) {

    public DecodedBatch {
        accepted = List.copyOf(accepted);
        rejected = List.copyOf(rejected);
    }

    public int size() {
        return accepted.size() + rejected.size();
    }

    /**
     * A readable, valid event and the delivery it came in (made only should the event be
     * parked: an element of a batch has no body or headers of its own until then).
     */
    record Accepted<T>(T event, Supplier<byte[]> body, Supplier<Map<String, Object>> headers) {

        RejectedDelivery rejected(String reasonClass, String detail, int tries) {
            return new RejectedDelivery(body.get(), headers.get(), reasonClass, detail, tries);
        }
    }
}
