package io.tokenfactory.metering.messaging;

import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

import io.tokenfactory.support.events.RejectedEventException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;

/**
 * How a batch is written despite failures. A transient failure (database away, connection
 * killed, deadlock loser) is retried with back-off for as long as it lasts: the batch
 * stays unacknowledged meanwhile, so nothing valid is dropped. Any other failure is taken
 * to come from the data (a constraint or value the validation missed) and would fail
 * every retry, so the batch is split and written event by event; only the events that
 * fail on their own are rejected. An interrupt (shutdown) while waiting ends the attempt
 * with the batch unacknowledged.
 */
final class BatchRetry {

    private static final Logger log = LoggerFactory.getLogger(BatchRetry.class);

    private static final Set<String> TRANSIENT_SQL_STATE_CLASSES = Set.of("08", "40", "53", "57", "58");

    private final Duration firstDelay;

    private final Duration maxDelay;

    public BatchRetry(Duration firstDelay, Duration maxDelay) {
        this.firstDelay = firstDelay;
        this.maxDelay = maxDelay;
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
        try {
            untilNotTransient(() -> write.accept(events));
        }
        catch (Interrupted shuttingDown) {
            throw shuttingDown;
        }
        catch (RuntimeException dataProblem) {
            if (events.size() == 1) {
                reject.reject(events.get(0), dataProblem);
                return;
            }
            log.warn("A batch of {} events failed on its data ({}); writing them one by one", events.size(),
                    dataProblem.getMessage());
            for (T event : events) {
                try {
                    untilNotTransient(() -> write.accept(List.of(event)));
                }
                catch (Interrupted shuttingDown) {
                    throw shuttingDown;
                }
                catch (RuntimeException failure) {
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
            }
            catch (RuntimeException failure) {
                if (!isTransient(failure)) {
                    throw failure;
                }
                log.warn("Writing a batch failed ({}); trying again in {} ms", failure.getMessage(), delay);
                try {
                    Thread.sleep(delay);
                }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    // shutting down: leave the batch unacknowledged, the broker delivers
                    // it again
                    throw new Interrupted(e);
                }
                delay = Math.min(maxDelay.toMillis(), delay * 2);
            }
        }
    }

    /**
     * Transient: the database or the connection to it (unreachable, killed backend,
     * deadlock loser, lock or statement timeout, SQLSTATE classes 08, 40, 53, 57, 58).
     * Anything else is taken to come from the data and would fail again on every retry.
     */
    static boolean isTransient(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof RejectedEventException || cause instanceof DataIntegrityViolationException) {
                return false;
            }
            if (cause instanceof TransientDataAccessException || cause instanceof RecoverableDataAccessException
                    || cause instanceof DataAccessResourceFailureException
                    || cause instanceof CannotCreateTransactionException || cause instanceof TransactionSystemException
                    || cause instanceof SQLTransientException || cause instanceof SQLRecoverableException) {
                return true;
            }
            if (cause instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().length() >= 2
                    && TRANSIENT_SQL_STATE_CLASSES.contains(sql.getSQLState().substring(0, 2))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Thrown when the consumer thread is interrupted (shutdown) while a batch waits to be
     * retried.
     */
    static final class Interrupted extends RuntimeException {

        Interrupted(InterruptedException cause) {
            super("interrupted while waiting to retry a batch", cause);
        }

    }

    @FunctionalInterface
    public interface RejectDecision<T> {

        void reject(T event, RuntimeException failure);

    }

}
