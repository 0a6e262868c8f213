package io.tokenfactory.inference;

/** How a request picks one of its model's deployments. */
public enum RoutingStrategy {

    /**
     * The deployment with the fewest requests in flight or waiting for it, per unit of
     * weight.
     */
    LEAST_OUTSTANDING,
    /**
     * The deployment with the lowest moving average of time to first token (then of
     * inter-token latency).
     */
    LATENCY,
    /**
     * The lowest cost per token: measured joules at billing's energy price plus
     * accelerator time at the node's capacity rate.
     */
    COST,
    /**
     * The most tokens per measured joule among the deployments within the model's time to
     * first token objective; the fastest of the others when none is.
     */
    EFFICIENCY,
    /** Lowest priority number first; the rest are its fallbacks, in order. */
    PRIORITY,
    /** In turn, in proportion to the deployments' weights (the benchmarks' baseline). */
    ROUND_ROBIN

}
