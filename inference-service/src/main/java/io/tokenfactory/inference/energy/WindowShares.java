package io.tokenfactory.inference.energy;

/**
 * How a settled window's energy and accelerator time reach the requests in it. The window
 * is split across the replicas by the work each reported, then within a replica across
 * its requests by their work, so every request's share, over all replicas, adds up to the
 * whole window. Where nobody reported work (requests in flight that told no tokens yet),
 * requests in flight count instead.
 */
final class WindowShares {

    private WindowShares() {
    }

    /**
     * One replica's part of a window, from its report and the sums of every replica's
     * reports.
     */
    static double replicaPart(double replicaWork, int replicaRequests, double windowWork, int windowRequests) {
        return windowWork > 0 ? replicaWork / windowWork
                : windowRequests > 0 ? (double) replicaRequests / windowRequests : 0;
    }

    /**
     * One request's part of the window: its replica's part, split by the request's work
     * or, without work, evenly.
     */
    static double requestShare(double replicaPart, double requestWork, double replicaWork, int replicaRequests) {
        return replicaPart * (replicaWork > 0 ? requestWork / replicaWork : 1.0 / replicaRequests);
    }

}
