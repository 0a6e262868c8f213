package io.tokenfactory.metering.messaging;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tokenfactory.support.deadletter.DeadLetterParking;

import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * Builds the consumer of a batched binding: decode each delivery, write the valid events
 * in one transaction (retried through outages, split when the data itself fails), park
 * the rest as dead letters ({@link DeadLetterParking}) with their reasons. The batch is
 * acknowledged when the consumer returns, so only after all of that.
 */
@Component
public class BatchConsumers {

    private final EventBatchDecoder decoder;

    private final BatchRetry retry;

    private final DeadLetterParking parking;

    private final MeterRegistry meters;

    BatchConsumers(EventBatchDecoder decoder, BatchRetry retry, DeadLetterParking parking, MeterRegistry meters) {
        this.decoder = decoder;
        this.retry = retry;
        this.parking = parking;
        this.meters = meters;
    }

    /**
     * The consumer's payload is the batch's raw bodies ({@code List<byte[]>}); it is
     * declared as {@code Message<Object>} because a typed {@code List<byte[]>} makes the
     * binder convert the batch into an empty list.
     * @param binding the consumer binding, e.g. {@code usageRecorded-in-0}, for its dead
     * letters
     * @param type the CloudEvents type (and version) the binding carries
     * @param validation what is wrong with a readable event, or empty when it may be
     * written
     * @param write writes a list of valid events in one transaction
     */
    public <T> Consumer<Message<Object>> consumer(String binding, String type, Class<T> recordType,
            Function<T, Optional<String>> validation, Consumer<List<T>> write) {
        Timer batches = Timer.builder("tokenfactory.metering.batches")
            .tag("type", type)
            .description("batches consumed: from delivery to acknowledgement (decode, write, dead-letter)")
            .register(meters);
        DistributionSummary sizes = DistributionSummary.builder("tokenfactory.metering.batch.size")
            .tag("type", type)
            .description("events per consumed batch (each event of a batch message counts)")
            .register(meters);
        return batch -> batches.record(() -> {
            DecodedBatch<T> decoded = decoder.decode(batch, type, recordType, validation, parking.destination(binding),
                    parking.group(binding));
            sizes.record(decoded.size());
            List<RejectedDelivery> rejected = new ArrayList<>(decoded.rejected());
            retry.<DecodedBatch.Accepted<T>>write(decoded.accepted(),
                    accepted -> write.accept(accepted.stream().map(DecodedBatch.Accepted::event).toList()),
                    (accepted, failure) -> rejected.add(accepted.rejected(failure.reasonClass(),
                            "could not be stored: " + failure.reason(), failure.tries())));
            for (RejectedDelivery delivery : rejected) {
                parking.park(binding, delivery.headers(), delivery.body(), delivery.reasonClass(), delivery.detail(),
                        delivery.tries());
            }
        });
    }

}
