package io.tokenfactory.support.events;

/**
 * An event that can never be processed, however often it is redelivered (invalid content,
 * unknown type). Consumers configure it as not retryable, so the binder sends it straight
 * to the dead-letter queue, with this message as the reason in the
 * {@code x-exception-message} header.
 */
public class RejectedEventException extends RuntimeException {

    public RejectedEventException(String reason) {
        super(reason);
    }

}
