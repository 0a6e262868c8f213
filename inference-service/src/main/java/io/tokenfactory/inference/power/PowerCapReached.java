package io.tokenfactory.inference.power;

/**
 * A request cannot run now without taking a node over a power cap: batch work is deferred
 * at once, interactive work after waiting for headroom. Answered 429 {@code power_cap}
 * with {@code Retry-After}.
 */
public class PowerCapReached extends RuntimeException {

    private final long retryAfterSeconds;

    PowerCapReached(String message, long retryAfterSeconds) {
        super(message, null, false, false);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

}
