package io.tokenfactory.inference.energy;

import java.util.concurrent.CompletableFuture;

/**
 * One request's work on a node, told to the node's ledger as it happens: the ledger
 * splits each metering window's energy across the requests in flight by their work in it.
 * Thread-safe.
 */
public interface Work {

    /**
     * Tokens processed now: prompt tokens when they arrive, generated tokens as they are
     * produced.
     */
    void tokens(double count);

    /**
     * The request has ended.
     * @param producedTokens what it generated, also when its tokens were not seen one by
     * one (a whole response): that calibrates how such requests are weighed while in
     * flight
     * @return its energy, once the window it ended in is settled (a fraction of a second
     * to a few seconds)
     */
    CompletableFuture<MeasuredEnergy> finish(long producedTokens);

    /**
     * Takes back a request that never got an answer, before it counted anywhere: true
     * when it was in no closed metering window yet (it is gone without a trace); false
     * when it already held a share of the node's time — then it must be finished and
     * recorded like any other.
     */
    boolean withdraw();

}
