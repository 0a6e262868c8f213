package io.tokenfactory.inference.generation;

import io.tokenfactory.inference.fairshare.AdmissionRefusedException;

/**
 * The model's queue is full: the caller should come back after
 * {@link #retryAfterSeconds()}.
 */
public class EngineBusyException extends AdmissionRefusedException {

    public EngineBusyException(String model, int capacity, long retryAfterSeconds) {
        super("model " + model + " has " + capacity + " requests waiting; try again in " + retryAfterSeconds + " s",
                retryAfterSeconds);
    }

}
