package io.tokenfactory.metering.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.tokenfactory.support.events.ConsumerRetry;
import io.tokenfactory.support.events.ConsumerSettings;

import org.junit.jupiter.api.Test;
import org.springframework.dao.DataAccessResourceFailureException;

/**
 * Outages are waited out; data problems split the batch so that only the culprit is
 * rejected.
 */
class BatchRetryTests {

    private final BatchRetry retry = new BatchRetry(
            new ConsumerRetry(new ConsumerSettings(3, Duration.ofMillis(1), Duration.ofMillis(2))));

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
        List<Integer> tries = new ArrayList<>();
        retry.write(List.of("a", "poison", "c"), batch -> {
            if (batch.contains("poison")) {
                throw new IllegalArgumentException("cannot store " + batch);
            }
            written.addAll(batch);
        }, (event, failure) -> {
            rejected.add(event);
            tries.add(failure.tries());
        });
        assertThat(written).containsExactly("a", "c");
        assertThat(rejected).containsExactly("poison");
        // on its own, the culprit is tried as often as any message before it is given up
        assertThat(tries).containsExactly(3);
    }

}
