package io.tokenfactory.agents.runs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The rules of a run's end, its retries and this replica's pause while inference is away.
 */
class RunRulesTests {

    @Test
    void onlyTheAgentsOwnFailuresCountTowardsPausingIt() {
        assertThat(Arrays.stream(RunStatus.values()).filter(RunStatus::isFailure))
            .containsExactlyInAnyOrder(RunStatus.FAILED, RunStatus.TIMED_OUT, RunStatus.ORPHANED);
        assertThat(Arrays.stream(RunStatus.values()).filter(RunStatus::isOpen))
            .containsExactlyInAnyOrder(RunStatus.QUEUED, RunStatus.RUNNING);
    }

    @ParameterizedTest
    @ValueSource(ints = { 1, 2, 3, 5, 8, 30 })
    void retryBackoffDoublesWithEachFailureWithJitterAndACap(int attempt) {
        Duration base = Duration.ofSeconds(2);
        Duration max = Duration.ofMinutes(1);
        long full = Math.min(max.toMillis(), base.toMillis() << (attempt - 1));
        for (int i = 0; i < 200; i++) {
            Duration backoff = RunRecords.backoff(base, max, attempt);
            assertThat(backoff.toMillis()).isBetween(full / 2, full);
        }
    }

    @Test
    void inferenceAwayPausesStartsAndThePauseDoublesUpToItsLongestThenResets() {
        MovableClock clock = new MovableClock(Instant.parse("2026-12-06T12:00:00Z"));
        InferenceAvailability inference = new InferenceAvailability(clock, Duration.ofSeconds(1),
                Duration.ofSeconds(3));
        assertThat(inference.isOpen()).isTrue();

        List<Duration> pauses = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Instant until = inference.unavailable();
            pauses.add(Duration.between(clock.instant(), until));
            assertThat(inference.isOpen()).isFalse();
            // a second report during the pause does not lengthen it
            assertThat(inference.unavailable()).isEqualTo(until);
            clock.now = until;
            assertThat(inference.isOpen()).isTrue();
        }
        assertThat(pauses).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(3),
                Duration.ofSeconds(3));

        inference.answered();
        Instant until = inference.unavailable();
        assertThat(Duration.between(clock.instant(), until)).isEqualTo(Duration.ofSeconds(1));
    }

    private static final class MovableClock extends Clock {

        Instant now;

        MovableClock(Instant now) {
            this.now = now;
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

    }

}
