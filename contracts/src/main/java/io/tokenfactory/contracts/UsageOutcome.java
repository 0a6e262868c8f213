package io.tokenfactory.contracts;

/**
 * How an inference request ended; every outcome is metered, cancelled and failed ones
 * included.
 */
public enum UsageOutcome {

    COMPLETED, CANCELLED, FAILED

}
