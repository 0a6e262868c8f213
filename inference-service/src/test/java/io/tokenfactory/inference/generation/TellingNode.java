package io.tokenfactory.inference.generation;

import java.util.concurrent.CompletableFuture;

import io.tokenfactory.contracts.EnergySource;
import io.tokenfactory.inference.energy.MeasuredEnergy;
import io.tokenfactory.inference.energy.NodeEnergy;
import io.tokenfactory.inference.energy.Work;

/**
 * A node whose "energy" for a request is the tokens the engine told it, what the real
 * ledger splits by; it also sums what all its requests told.
 */
final class TellingNode implements NodeEnergy {

    private double total;

    /** Every token told to this node, by all its requests. */
    synchronized double told() {
        return total;
    }

    @Override
    public String node() {
        return "test-node";
    }

    @Override
    public String nodeClass() {
        return null;
    }

    @Override
    public String device() {
        return "test";
    }

    @Override
    public EnergySource source() {
        return EnergySource.ESTIMATED;
    }

    @Override
    public Work start(boolean tokensVisible) {
        return new Work() {
            private double told;

            @Override
            public void tokens(double count) {
                synchronized (TellingNode.this) {
                    told += count;
                    total += count;
                }
            }

            @Override
            public CompletableFuture<MeasuredEnergy> finish(long producedTokens) {
                synchronized (TellingNode.this) {
                    return CompletableFuture.completedFuture(new MeasuredEnergy(told, 0, EnergySource.ESTIMATED, 0));
                }
            }

            @Override
            public boolean withdraw() {
                return false;
            }
        };
    }

}
