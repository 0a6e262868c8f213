package io.tokenfactory.contracts;

/**
 * How an inference request ended; every outcome is metered, cancelled and failed ones
 * included. {@code INTERRUPTED}: the process serving it died mid-request; it is closed by
 * another replica (or the restarted one) with the tokens its client had been sent.
 */
public enum UsageOutcome {

    COMPLETED, CANCELLED, FAILED, INTERRUPTED

}
