package io.tokenfactory.billing.alert;

import java.util.Locale;

/** How a delivery's body is shaped. */
public enum WebhookFormat {

    /** The alert as JSON: event, ids, a readable text and the figures. */
    JSON,
    /**
     * Slack's incoming-webhook payload, {@code {"text": …}}: the readable sentence only
     * (Mattermost, Teams' Slack-compatible connectors and others read it too).
     */
    SLACK;

    /** As the API and the database write it: {@code json}, {@code slack}. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static WebhookFormat of(String code) {
        return valueOf(code.toUpperCase(Locale.ROOT));
    }

}
