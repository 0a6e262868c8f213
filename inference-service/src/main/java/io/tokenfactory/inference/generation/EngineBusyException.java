package io.tokenfactory.inference.generation;

/**
 * The model's queue is full: the caller should come back after
 * {@link #retryAfterSeconds()}.
 */
public class EngineBusyException extends RuntimeException {

    private final long retryAfterSeconds;

    public EngineBusyException(String model, int capacity, long retryAfterSeconds) {
        super("model " + model + " has " + capacity + " requests waiting; try again in " + retryAfterSeconds + " s");
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

}
