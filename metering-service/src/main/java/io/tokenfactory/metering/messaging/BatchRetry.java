package io.tokenfactory.metering.messaging;

import java.util.List;
import java.util.function.Consumer;

import io.tokenfactory.support.events.ConsumerRetry;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a batch is written despite failures, under the one consumer policy
 * ({@link ConsumerRetry}). A transient failure (database away, connection killed,
 * deadlock loser) is retried with back-off for as long as it lasts: the batch stays
 * unacknowledged meanwhile, so nothing valid is dropped. Any other failure is taken to
 * come from the data (a constraint or value the validation missed), so the batch is split
 * and written event by event, each tried like any message; only the events that still
 * fail on their own are rejected. An interrupt (shutdown) while waiting throws
 * {@link ConsumerRetry.Interrupted} with the batch unacknowledged.
 */
final class BatchRetry {

    private static final Logger log = LoggerFactory.getLogger(BatchRetry.class);

    private final ConsumerRetry retry;

    BatchRetry(ConsumerRetry retry) {
        this.retry = retry;
    }

    /**
     * @param write writes a list of events in one transaction
     * @param reject called with an event and its failure when that event alone cannot be
     * written
     */
    public <T> void write(List<T> events, Consumer<List<T>> write, RejectDecision<T> reject) {
        if (events.isEmpty()) {
            return;
        }
        ConsumerRetry.Failure dataProblem = retry.runUntilNotTransient(() -> write.accept(events));
        if (dataProblem == null) {
            return;
        }
        if (events.size() > 1) {
            log.warn("A batch of {} events failed on its data ({}); writing them one by one", events.size(),
                    dataProblem.cause().getMessage());
        }
        for (T event : events) {
            ConsumerRetry.Failure failure = retry.run(() -> write.accept(List.of(event)));
            if (failure != null) {
                reject.reject(event, failure);
            }
        }
    }

    @FunctionalInterface
    public interface RejectDecision<T> {

        void reject(T event, ConsumerRetry.Failure failure);

    }

}
