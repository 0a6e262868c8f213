package io.tokenfactory.metering.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.DeadlockLoserDataAccessException;
import org.springframework.jdbc.UncategorizedSQLException;

/**
 * Outages are waited out; data problems split the batch so that only the culprit is
 * rejected.
 */
class BatchRetryTests {

    private final BatchRetry retry = new BatchRetry(Duration.ofMillis(1), Duration.ofMillis(2));

    @Test
    void tellsOutagesFromDataProblems() {
        assertThat(BatchRetry.isTransient(new DataAccessResourceFailureException("connection refused"))).isTrue();
        assertThat(BatchRetry.isTransient(new DeadlockLoserDataAccessException("deadlock", null))).isTrue();
        assertThat(BatchRetry.isTransient(new UncategorizedSQLException("insert", "sql",
                new SQLException("terminating connection due to administrator command", "57P01"))))
            .isTrue();
        assertThat(BatchRetry.isTransient(new DataIntegrityViolationException("check constraint"))).isFalse();
        assertThat(BatchRetry.isTransient(new IllegalArgumentException("instant out of range"))).isFalse();
    }

    @Test
    void retriesAnOutageUntilTheWholeBatchIsWritten() {
        List<List<String>> writes = new ArrayList<>();
        int[] failures = { 3 };
        retry.write(List.of("a", "b", "c"), batch -> {
            if (failures[0]-- > 0) {
                throw new DataAccessResourceFailureException("database away");
            }
            writes.add(batch);
        }, (event, failure) -> {
            throw new AssertionError("nothing may be rejected for an outage");
        });
        assertThat(writes).containsExactly(List.of("a", "b", "c"));
    }

    @Test
    void splitsABatchThatFailsOnItsDataAndRejectsOnlyTheCulprit() {
        List<String> written = new ArrayList<>();
        List<String> rejected = new ArrayList<>();
        retry.write(List.of("a", "poison", "c"), batch -> {
            if (batch.contains("poison")) {
                throw new IllegalArgumentException("cannot store " + batch);
            }
            written.addAll(batch);
        }, (event, failure) -> rejected.add(event));
        assertThat(written).containsExactly("a", "c");
        assertThat(rejected).containsExactly("poison");
    }

}
