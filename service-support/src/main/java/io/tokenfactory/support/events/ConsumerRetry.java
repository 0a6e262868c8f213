package io.tokenfactory.support.events;

import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import jakarta.validation.ConstraintViolationException;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.messaging.converter.MessageConversionException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;

/**
 * How every consumer retries, one policy for all. A <em>transient</em> failure — the
 * database or the broker away, a killed connection, a deadlock loser, a lock or statement
 * timeout — is retried with back-off for as long as it lasts: a valid event is never
 * parked for an outage. A {@link RejectedEventException} or an unreadable payload is
 * never retried. Any other failure is tried {@link ConsumerSettings#maxAttempts()} times
 * in all. What ends the trying is handed back, and the consumer parks the message as a
 * dead letter; an interrupt (shutdown) while waiting throws {@link Interrupted}, and the
 * message stays unacknowledged.
 */
public final class ConsumerRetry {

    private static final Logger log = LoggerFactory.getLogger(ConsumerRetry.class);

    /**
     * SQLSTATE classes of failures that pass: connection (08), transaction rollback such
     * as a deadlock or serialization failure (40), insufficient resources (53), operator
     * intervention such as a shutdown or statement timeout (57), system error (58).
     */
    private static final Set<String> TRANSIENT_SQL_STATE_CLASSES = Set.of("08", "40", "53", "57", "58");

    /**
     * A database switched to read-only (a failover, a full disk guarded): it comes back.
     */
    private static final String READ_ONLY_TRANSACTION = "25006";

    /**
     * Broker trouble, named rather than imported: a service may carry either broker's
     * client.
     */
    private static final Set<String> TRANSIENT_BROKER_FAILURES = Set.of("org.springframework.amqp.AmqpConnectException",
            "org.springframework.amqp.AmqpTimeoutException",
            "org.springframework.amqp.AmqpResourceNotAvailableException",
            "org.apache.kafka.common.errors.RetriableException");

    private final ConsumerSettings settings;

    public ConsumerRetry(ConsumerSettings settings) {
        this.settings = settings;
    }

    /**
     * Tries {@code attempt} until it succeeds (returns null) or fails for good (returns
     * that failure and how many tries it took).
     */
    public @Nullable Failure run(Runnable attempt) {
        return run(attempt, settings.maxAttempts());
    }

    /**
     * Retries only transient failures and hands back the first other one at once (a batch
     * that fails on its data is then split).
     */
    public @Nullable Failure runUntilNotTransient(Runnable attempt) {
        return run(attempt, 1);
    }

    /**
     * Runs work that must not give up on an outage (parking a dead letter) and returns
     * its result: transient failures are retried, any other is thrown.
     */
    public <T> T untilDone(Supplier<T> work) {
        AtomicReference<T> result = new AtomicReference<>();
        Failure failure = runUntilNotTransient(() -> result.set(work.get()));
        if (failure != null) {
            throw failure.cause();
        }
        return result.get();
    }

    private @Nullable Failure run(Runnable attempt, int maxAttempts) {
        long delay = settings.firstDelay().toMillis();
        // an outage does not use up the tries: only the failures that may come from the
        // message itself count
        int counted = 0;
        for (int tries = 1;; tries++) {
            try {
                attempt.run();
                return null;
            }
            catch (Interrupted shuttingDown) {
                throw shuttingDown;
            }
            catch (RuntimeException failure) {
                boolean transientFailure = isTransient(failure);
                if (!transientFailure && (isRejection(failure) || ++counted >= maxAttempts)) {
                    return new Failure(failure, tries);
                }
                log.warn("{} failure on try {} ({}); trying again in {} ms", transientFailure ? "A transient" : "A",
                        tries, failure.getMessage(), delay);
                pause(delay);
                delay = Math.min(settings.maxDelay().toMillis(), delay * 2);
            }
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            // shutting down: the message stays unacknowledged and is delivered again
            throw new Interrupted(e);
        }
    }

    /**
     * A failure that would fail again on every try: an explicit rejection, a payload that
     * cannot be converted, a constraint the data breaks. Checked before
     * {@link #isTransient}, because a rejected commit wraps its cause in an otherwise
     * transient-looking exception.
     */
    public static boolean isRejection(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof RejectedEventException || cause instanceof MessageConversionException
                    || cause instanceof DataIntegrityViolationException
                    || cause instanceof ConstraintViolationException) {
                return true;
            }
        }
        return false;
    }

    /**
     * Transient: the database or the connection to it (unreachable, killed backend,
     * deadlock loser, lock or statement timeout, SQLSTATE classes 08, 40, 53, 57, 58; a
     * database made read-only for a while, 25006; a disk full, 53100) or the broker.
     * Never a rejection.
     */
    public static boolean isTransient(Throwable failure) {
        if (isRejection(failure)) {
            return false;
        }
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof TransientDataAccessException || cause instanceof RecoverableDataAccessException
                    || cause instanceof DataAccessResourceFailureException
                    || cause instanceof CannotCreateTransactionException || cause instanceof TransactionSystemException
                    || cause instanceof SQLTransientException || cause instanceof SQLRecoverableException
                    || isBrokerFailure(cause.getClass())) {
                return true;
            }
            if (cause instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().length() >= 2
                    && (TRANSIENT_SQL_STATE_CLASSES.contains(sql.getSQLState().substring(0, 2))
                            || READ_ONLY_TRANSACTION.equals(sql.getSQLState()))) {
                return true;
            }
        }
        return false;
    }

    private static boolean isBrokerFailure(Class<?> type) {
        for (Class<?> candidate = type; candidate != null; candidate = candidate.getSuperclass()) {
            if (TRANSIENT_BROKER_FAILURES.contains(candidate.getName())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Why a message could not be consumed, after how many tries in all (outage tries
     * included).
     */
    public record Failure(RuntimeException cause, int tries) {

        /**
         * The exception class that says why: the rejection's when there is one, else the
         * outermost.
         */
        public String reasonClass() {
            return telling().getClass().getName();
        }

        /**
         * Its message, with the root cause's when that says more.
         */
        public String reason() {
            Throwable telling = telling();
            Throwable root = telling;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            String message = String.valueOf(telling.getMessage());
            if (root != telling && root.getMessage() != null && !message.contains(root.getMessage())) {
                message += " (caused by " + root.getClass().getName() + ": " + root.getMessage() + ")";
            }
            return message;
        }

        private Throwable telling() {
            for (Throwable cause = this.cause; cause != null; cause = cause.getCause()) {
                if (cause instanceof RejectedEventException) {
                    return cause;
                }
            }
            return cause;
        }

    }

    /**
     * Thrown when the consumer thread is interrupted (shutdown) while it waits to try
     * again: the message is not acknowledged and comes again.
     */
    public static final class Interrupted extends RuntimeException {

        Interrupted(InterruptedException cause) {
            super("interrupted while waiting to retry a message", cause);
        }

    }

}
