package io.tokenfactory.billing.alert;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * When a failed delivery is tried again: after the first, second, … failed attempt the
 * configured delays in turn (the last one repeating), until {@code maxAttempts} attempts
 * have failed; then never.
 */
record RetrySchedule(List<Duration> delays, int maxAttempts) {

    RetrySchedule {
        if (delays.isEmpty() || maxAttempts < 1) {
            throw new IllegalArgumentException("a retry schedule needs at least one delay and one attempt");
        }
        delays = List.copyOf(delays);
    }

    /**
     * The pause before the next attempt, once {@code failedAttempts} attempts failed;
     * empty when the delivery has failed for good.
     */
    Optional<Duration> after(int failedAttempts) {
        if (failedAttempts < 1) {
            throw new IllegalArgumentException("no attempt has failed yet");
        }
        if (failedAttempts >= maxAttempts) {
            return Optional.empty();
        }
        return Optional.of(delays.get(Math.min(failedAttempts, delays.size()) - 1));
    }

}
