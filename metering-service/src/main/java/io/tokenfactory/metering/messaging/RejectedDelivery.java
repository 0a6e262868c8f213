package io.tokenfactory.metering.messaging;

import java.util.Map;

/**
 * A delivery that can never be ingested, kept byte for byte with its headers so the dead
 * letter shows exactly what arrived.
 *
 * @param reasonClass the exception class (or kind of refusal) that says why
 * @param detail what exactly is wrong, for the person reading the dead letter
 * @param tries how often it was tried
 */
record RejectedDelivery(byte[] body, Map<String, Object> headers, String reasonClass, String detail, int tries) {

    public RejectedDelivery {
        headers = Map.copyOf(headers);
    }
}
