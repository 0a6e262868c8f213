package io.tokenfactory.contracts;

/**
 * Message header names that carry the CloudEvents attributes in binary content mode.
 * Producers set the {@code ce-} names; Spring Cloud Function rewrites them to the prefix
 * of the broker's CloudEvents protocol binding on the way out: {@code cloudEvents:} on
 * AMQP, {@code ce_} on Kafka.
 */
public final class CloudEventAttributes {

    public static final String SPEC_VERSION_VALUE = "1.0";

    public static final String ID = "ce-id";

    public static final String SOURCE = "ce-source";

    public static final String TYPE = "ce-type";

    public static final String TIME = "ce-time";

    public static final String SUBJECT = "ce-subject";

    public static final String SPEC_VERSION = "ce-specversion";

    /**
     * The Distributed Tracing extension: the W3C trace context of the work an event
     * describes, where it has one.
     */
    public static final String TRACEPARENT = "ce-traceparent";

    /** The prefix the attributes carry on an AMQP broker. */
    public static final String AMQP_PREFIX = "cloudEvents:";

    private CloudEventAttributes() {
    }

}
