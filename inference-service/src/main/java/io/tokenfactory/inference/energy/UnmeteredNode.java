package io.tokenfactory.inference.energy;

import java.util.concurrent.CompletableFuture;

import io.tokenfactory.contracts.EnergySource;

/**
 * A node declared without a meter (or a remote server on no declared node): its requests
 * have no energy figure.
 */
record UnmeteredNode(String node, String nodeClass) implements NodeEnergy {

    private static final Work NO_WORK = new Work() {
        @Override
        public void tokens(double count) {
        }

        @Override
        public CompletableFuture<MeasuredEnergy> finish(long producedTokens) {
            return CompletableFuture.completedFuture(MeasuredEnergy.UNMETERED);
        }

        @Override
        public boolean withdraw() {
            return true;
        }
    };

    @Override
    public String device() {
        return "none";
    }

    @Override
    public EnergySource source() {
        return EnergySource.NONE;
    }

    @Override
    public Work start(boolean tokensVisible) {
        return NO_WORK;
    }
}
