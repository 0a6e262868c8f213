package io.tokenfactory.support.events;

/**
 * An event that can never be processed, however often it is redelivered (invalid content,
 * unknown type). {@link ConsumerRetry} never retries it: the consumer parks it as a dead
 * letter at once, with this message as the reason ({@code x-exception-message}).
 */
public class RejectedEventException extends RuntimeException {

    public RejectedEventException(String reason) {
        super(reason);
    }

}
