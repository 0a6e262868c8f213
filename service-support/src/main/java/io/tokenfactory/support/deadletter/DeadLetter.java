package io.tokenfactory.support.deadletter;

import java.time.Instant;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * A parked message, as the admin API lists it.
 *
 * @param destination the destination it was consumed from (exchange or topic), e.g.
 * {@code tokenfactory.usage-metered}
 * @param group the consumer group that parked it (RabbitMQ: the queue
 * {@code <destination>.<group>})
 * @param eventId the CloudEvents id, when the message had one
 * @param eventType the CloudEvents type, when the message had one
 * @param reasonClass the exception class that made the consumer give up
 * @param reason its message
 * @param tries how often it was tried before it was parked the last time
 * @param parked how often it was parked (again after a replay that failed again)
 * @param firstFailedAt when it was parked first
 * @param lastFailedAt when it was parked last
 * @param replays how often it was replayed
 */
public record DeadLetter(UUID id, String destination, String group, @Nullable String eventId,
        @Nullable String eventType, String reasonClass, String reason, int tries, int parked, Instant firstFailedAt,
        Instant lastFailedAt, Status status, @Nullable Instant replayedAt, int replays, @Nullable Instant discardedAt,
        @Nullable String discardReason) {

    /** Where a dead letter stands. */
    public enum Status {

        /** Parked, neither replayed nor discarded: what the gauge counts. */
        WAITING,
        /** Sent back to its destination for its group (and not parked again since). */
        REPLAYED,
        /** Set aside by an administrator, with a reason. */
        DISCARDED

    }

}
