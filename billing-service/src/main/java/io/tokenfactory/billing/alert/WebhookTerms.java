package io.tokenfactory.billing.alert;

import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * What a subscriber chooses: where to, which alerts, in which shape, and whether it is
 * on.
 *
 * @param url an absolute http or https URL
 * @param eventKinds at least one
 */
public record WebhookTerms(String url, Set<AlertKind> eventKinds, WebhookFormat format, @Nullable String description,
        boolean active) {
}
