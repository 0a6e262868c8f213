package io.tokenfactory.billing.alert;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * A subscription as the rest of the service sees it: never its secret, only a hint of it.
 *
 * @param departmentId null for an administrators' subscription, which hears every
 * department
 */
public record WebhookView(UUID id, @Nullable UUID departmentId, String url, List<AlertKind> eventKinds,
        WebhookFormat format, @Nullable String description, boolean active, String secretHint, Instant createdAt,
        Instant updatedAt) {
}
