package io.tokenfactory.billing.alert;

/**
 * A new subscription and its signing secret, shown this once.
 */
public record CreatedWebhook(WebhookView webhook, String secret) {
}
