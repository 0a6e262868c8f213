package io.tokenfactory.inference.fairshare;

/**
 * A model cannot take the request now (its queue is full, or no slot came free in time):
 * the caller should come back after {@link #retryAfterSeconds()}. Answered 429
 * {@code queue_full} with {@code Retry-After}.
 */
public class AdmissionRefusedException extends RuntimeException {

    private final long retryAfterSeconds;

    public AdmissionRefusedException(String message, long retryAfterSeconds) {
        super(message);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

}
