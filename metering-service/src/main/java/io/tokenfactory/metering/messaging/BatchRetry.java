package io.tokenfactory.metering.messaging;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

import io.tokenfactory.support.events.RejectedEventException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataIntegrityViolationException;

/**
 * How a batch is written despite failures. A transient failure (database away, connection killed, lock timeout)
 * is retried with back-off for as long as it lasts: the batch stays unacknowledged meanwhile, so nothing valid is
 * dropped. A failure caused by the data itself (a constraint the validation missed) would fail every retry, so the
 * batch is split and written event by event; only the events that fail on their own are rejected.
 */
public final class BatchRetry {

    private static final Logger log = LoggerFactory.getLogger(BatchRetry.class);

    private final Duration firstDelay;
    private final Duration maxDelay;

    public BatchRetry(Duration firstDelay, Duration maxDelay) {
        this.firstDelay = firstDelay;
        this.maxDelay = maxDelay;
    }

    /**
     * @param write  writes a list of events in one transaction
     * @param reject called with an event and its failure when that event alone cannot be written
     */
    public <T> void write(List<T> events, Consumer<List<T>> write, RejectDecision<T> reject) {
        if (events.isEmpty()) {
            return;
        }
        try {
            untilNotTransient(() -> write.accept(events));
        } catch (RuntimeException dataProblem) {
            if (events.size() == 1) {
                reject.reject(events.get(0), dataProblem);
                return;
            }
            log.warn("A batch of {} events failed on its data ({}); writing them one by one", events.size(),
                    dataProblem.getMessage());
            for (T event : events) {
                try {
                    untilNotTransient(() -> write.accept(List.of(event)));
                } catch (RuntimeException failure) {
                    reject.reject(event, failure);
                }
            }
        }
    }

    private void untilNotTransient(Runnable attempt) {
        long delay = firstDelay.toMillis();
        while (true) {
            try {
                attempt.run();
                return;
            } catch (RuntimeException failure) {
                if (!isTransient(failure)) {
                    throw failure;
                }
                log.warn("Writing a batch failed ({}); trying again in {} ms", failure.getMessage(), delay);
                try {
                    Thread.sleep(delay);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    // shutting down: leave the batch unacknowledged, the broker delivers it again
                    throw new IllegalStateException("interrupted while waiting to retry a batch", e);
                }
                delay = Math.min(maxDelay.toMillis(), delay * 2);
            }
        }
    }

    /** Everything is transient except what the data itself causes. */
    static boolean isTransient(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof DataIntegrityViolationException || cause instanceof RejectedEventException) {
                return false;
            }
        }
        return true;
    }

    @FunctionalInterface
    public interface RejectDecision<T> {
        void reject(T event, RuntimeException failure);
    }
}
