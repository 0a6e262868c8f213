package io.tokenfactory.contracts;

/**
 * Message header names that carry the CloudEvents attributes in binary content mode
 * (the {@code ce-} prefix of the CloudEvents HTTP and Kafka bindings).
 */
public final class CloudEventAttributes {

    public static final String SPEC_VERSION_VALUE = "1.0";

    public static final String ID = "ce-id";
    public static final String SOURCE = "ce-source";
    public static final String TYPE = "ce-type";
    public static final String TIME = "ce-time";
    public static final String SUBJECT = "ce-subject";
    public static final String SPEC_VERSION = "ce-specversion";

    private CloudEventAttributes() {
    }
}
