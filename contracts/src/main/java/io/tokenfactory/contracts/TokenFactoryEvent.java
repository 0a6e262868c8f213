package io.tokenfactory.contracts;

import java.time.Instant;
import java.util.UUID;

/**
 * An event that crosses a service boundary. The payload is the record itself; the
 * CloudEvents attributes ({@code id}, {@code type}, {@code time}, {@code subject}) are
 * derived from it, so they can never disagree.
 */
public interface TokenFactoryEvent {

    /**
     * Unique per event; consumers deduplicate on it. Becomes the CloudEvents {@code id}.
     */
    UUID eventId();

    /** When the thing happened. Becomes the CloudEvents {@code time}. */
    Instant occurredAt();

    /**
     * What the event is about (a department, an agent, a node). Becomes the CloudEvents
     * {@code subject}.
     */
    String subject();

    /**
     * The W3C {@code traceparent} of the work this event describes, so that its consumers
     * continue that trace; null when there is none. Becomes the CloudEvents
     * {@code traceparent} (Distributed Tracing extension).
     */
    default String traceparent() {
        return null;
    }

    /** The logical, versioned type name; never a Java class name. */
    default String type() {
        return EventTypes.typeOf(getClass());
    }

}
