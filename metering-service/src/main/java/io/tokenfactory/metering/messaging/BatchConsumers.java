package io.tokenfactory.metering.messaging;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * Builds the consumer of a batched binding: decode each delivery, write the valid events
 * in one transaction (retried through outages, split when the data itself fails), park
 * the rest in the dead-letter queue. The batch is acknowledged when the consumer returns,
 * so only after all of that.
 */
@Component
public class BatchConsumers {

    private final EventBatchDecoder decoder;

    private final BatchRetry retry;

    private final DeadLetters deadLetters;

    private final MeterRegistry meters;

    BatchConsumers(EventBatchDecoder decoder, BatchRetry retry, DeadLetters deadLetters, MeterRegistry meters) {
        this.decoder = decoder;
        this.retry = retry;
        this.deadLetters = deadLetters;
        this.meters = meters;
    }

    /**
     * The consumer's payload is the batch's raw bodies ({@code List<byte[]>}); it is
     * declared as {@code Message<Object>} because a typed {@code List<byte[]>} makes the
     * binder convert the batch into an empty list.
     * @param binding the consumer binding, e.g. {@code usageRecorded-in-0}, for its
     * dead-letter queue
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
            .description("deliveries per consumed batch")
            .register(meters);
        return batch -> batches.record(() -> {
            DecodedBatch<T> decoded = decoder.decode(batch, type, recordType, validation);
            sizes.record(decoded.size());
            List<RejectedDelivery> rejected = new ArrayList<>(decoded.rejected());
            retry.write(decoded.accepted(), write, (event, failure) -> rejected
                .add(decoder.rejectedAfterDecoding(event, "could not be stored: " + failure.getMessage())));
            deadLetters.park(binding, type, rejected);
        });
    }

}
