package io.tokenfactory.metering.messaging;

import java.util.Map;

/**
 * A delivery that can never be ingested, kept byte for byte with its headers so the
 * dead-letter queue shows exactly what arrived.
 *
 * @param reason a short machine-readable reason, used as a metric tag: unknown_type,
 * unreadable, invalid
 * @param detail what exactly is wrong, for the person reading the dead-letter queue
 */
record RejectedDelivery(byte[] body, Map<String, Object> headers, String reason, String detail) {

    public static final String UNKNOWN_TYPE = "unknown_type";

    public static final String UNREADABLE = "unreadable";

    public static final String INVALID = "invalid";

    public RejectedDelivery {
        headers = Map.copyOf(headers);
    }
}
