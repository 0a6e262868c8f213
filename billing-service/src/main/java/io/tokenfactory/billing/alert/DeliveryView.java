package io.tokenfactory.billing.alert;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * One alert for one subscription, with every attempt to deliver it.
 *
 * @param event an {@link AlertKind}'s name, or {@code PING}
 * @param status {@code PENDING}, {@code DELIVERED} or {@code FAILED}
 * @param nextAttemptAt when a pending delivery is tried (again)
 * @param body the body as it is sent
 */
public record DeliveryView(UUID id, UUID eventId, String event, String status, int attempts, Instant createdAt,
        @Nullable Instant nextAttemptAt, @Nullable Instant finishedAt, String body, List<Attempt> attemptLog) {

    /**
     * One attempt.
     *
     * @param httpStatus the receiver's status; null when it gave none
     * @param error why there was no status (refused, timed out, …)
     */
    public record Attempt(int attempt, Instant startedAt, long durationMs, @Nullable Integer httpStatus,
            @Nullable String error) {
    }

}
