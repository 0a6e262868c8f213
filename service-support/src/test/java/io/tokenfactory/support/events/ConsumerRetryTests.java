package io.tokenfactory.support.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.DeadlockLoserDataAccessException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.jdbc.UncategorizedSQLException;
import org.springframework.messaging.converter.MessageConversionException;
import org.springframework.transaction.TransactionSystemException;

/**
 * Outages are waited out for as long as they last; a rejection is given up at once; any
 * other failure after a bounded number of tries.
 */
class ConsumerRetryTests {

    private final ConsumerRetry retry = new ConsumerRetry(
            new ConsumerSettings(3, Duration.ofMillis(1), Duration.ofMillis(2)));

    @Test
    void tellsOutagesFromPoison() {
        assertThat(ConsumerRetry.isTransient(new DataAccessResourceFailureException("connection refused"))).isTrue();
        assertThat(ConsumerRetry.isTransient(
                new CannotGetJdbcConnectionException("pool exhausted", new SQLTransientConnectionException("timeout"))))
            .isTrue();
        assertThat(ConsumerRetry.isTransient(new DeadlockLoserDataAccessException("deadlock", null))).isTrue();
        assertThat(ConsumerRetry.isTransient(new UncategorizedSQLException("insert", "sql",
                new SQLException("terminating connection due to administrator command", "57P01"))))
            .isTrue();
        assertThat(ConsumerRetry.isTransient(new TransactionSystemException("commit failed"))).isTrue();
        // a database made read-only for a while (a failover, a guarded disk) comes back
        assertThat(ConsumerRetry.isTransient(new UncategorizedSQLException("insert", "sql",
                new SQLException("cannot execute INSERT in a read-only transaction", "25006"))))
            .isTrue();
        assertThat(ConsumerRetry.isTransient(
                new UncategorizedSQLException("insert", "sql", new SQLException("invalid transaction state", "25000"))))
            .isFalse();
        assertThat(ConsumerRetry.isTransient(new DataIntegrityViolationException("check constraint"))).isFalse();
        assertThat(ConsumerRetry.isTransient(new IllegalArgumentException("instant out of range"))).isFalse();
        assertThat(ConsumerRetry.isTransient(new RejectedEventException("no rate card"))).isFalse();
    }

    @Test
    void aRejectionInsideATransientLookingWrapperIsStillARejection() {
        TransactionSystemException rejectedAtCommit = new TransactionSystemException("commit failed");
        rejectedAtCommit.initCause(new RejectedEventException("invalid"));
        assertThat(ConsumerRetry.isRejection(rejectedAtCommit)).isTrue();
        assertThat(ConsumerRetry.isTransient(rejectedAtCommit)).isFalse();
        assertThat(ConsumerRetry.isRejection(new MessageConversionException("not JSON"))).isTrue();
    }

    @Test
    void retriesAnOutageForAsLongAsItLastsAndNeverGivesTheMessageUp() {
        AtomicInteger tries = new AtomicInteger();
        ConsumerRetry.Failure failure = retry.run(() -> {
            // many more outage tries than the bound for other failures
            if (tries.incrementAndGet() < 20) {
                throw new DataAccessResourceFailureException("database away");
            }
        });
        assertThat(failure).isNull();
        assertThat(tries).hasValue(20);
    }

    @Test
    void givesUpARejectionAtOnce() {
        AtomicInteger tries = new AtomicInteger();
        ConsumerRetry.Failure failure = retry.run(() -> {
            tries.incrementAndGet();
            throw new RejectedEventException("payload is not a readable record");
        });
        assertThat(failure).isNotNull();
        assertThat(failure.tries()).isEqualTo(1);
        assertThat(failure.reasonClass()).isEqualTo(RejectedEventException.class.getName());
        assertThat(failure.reason()).isEqualTo("payload is not a readable record");
        assertThat(tries).hasValue(1);
    }

    @Test
    void givesUpAnyOtherFailureAfterTheBoundedTriesWithItsRootCause() {
        AtomicInteger tries = new AtomicInteger();
        ConsumerRetry.Failure failure = retry.run(() -> {
            tries.incrementAndGet();
            throw new IllegalStateException("cannot charge", new ArithmeticException("division by zero"));
        });
        assertThat(failure).isNotNull();
        assertThat(failure.tries()).isEqualTo(3);
        assertThat(tries).hasValue(3);
        assertThat(failure.reasonClass()).isEqualTo(IllegalStateException.class.getName());
        assertThat(failure.reason())
            .isEqualTo("cannot charge (caused by java.lang.ArithmeticException: division by zero)");
    }

    @Test
    void anOutageBetweenOtherFailuresDoesNotUseUpTheTries() {
        AtomicInteger tries = new AtomicInteger();
        ConsumerRetry.Failure failure = retry.run(() -> {
            int attempt = tries.incrementAndGet();
            if (attempt % 2 == 0) {
                throw new DataAccessResourceFailureException("database away");
            }
            if (attempt < 7) {
                throw new IllegalStateException("not yet");
            }
        });
        // failures on tries 1, 3, 5 (three non-transient): given up at the third
        assertThat(failure).isNotNull();
        assertThat(tries).hasValue(5);
    }

    @Test
    void anInterruptWhileWaitingLeavesTheMessageUnacknowledged() {
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> retry.run(() -> {
                throw new DataAccessResourceFailureException("database away");
            })).isInstanceOf(ConsumerRetry.Interrupted.class);
        }
        finally {
            Thread.interrupted();
        }
    }

}
