package io.tokenfactory.billing.alert;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * One thing to tell subscribers, as every subscription receives it.
 *
 * @param eventId the same for every subscription told of this event (and for every retry)
 * @param kind an {@link AlertKind}'s name, or {@code PING} for a test delivery
 * @param departmentId the department it concerns; null for a whole month's close
 * @param text the readable sentence (a Slack payload's only content)
 * @param data the figures, for machines
 */
record Alert(UUID eventId, String kind, Instant occurredAt, @Nullable UUID departmentId, String text,
        Map<String, @Nullable Object> data) {

    static final String PING = "PING";

}
