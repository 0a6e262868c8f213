package io.tokenfactory.inference.energy;

import io.tokenfactory.contracts.EnergySource;

/** The energy accounting of one node, as the serving code sees it. */
public interface NodeEnergy {

    String node();

    /**
     * The class billing prices the node's accelerator time at; null when the node
     * declares none.
     */
    String nodeClass();

    /**
     * What is metered, for example {@code gpu0,gpu1}; {@code none} for an unmetered node.
     */
    String device();

    /** Where the node's figures come from now. */
    EnergySource source();

    /**
     * A request that starts now.
     * @param tokensVisible true when its tokens are told as they happen (a stream, the
     * local engine); false for a whole response, whose tokens are spread over its time at
     * the node's observed rate
     */
    Work start(boolean tokensVisible);

}
