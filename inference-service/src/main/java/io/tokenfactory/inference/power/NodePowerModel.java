package io.tokenfactory.inference.power;

/**
 * A node's power against its running requests, {@code watts ≈ idle + perRequest ×
 * running}, learned from its meter's readings: idle as the lowest reading with nothing
 * running, the watts of a request as a moving average of each loaded reading's power
 * above idle divided by its load. Each reading's own ratio is used, not a regression over
 * all of them, which a changing load would pull towards too few watts per request. The
 * meter lags by a reading; this does not: it tells what one more request will draw before
 * the meter can show it.
 */
final class NodePowerModel {

    /** How much of the highest watts per request one reading keeps. */
    private static final double FADING = 0.99;

    private double idle = Double.NaN;

    private double perRequest = Double.NaN;

    private double lastWatts = Double.NaN;

    private double lastLoad;

    private int lastRunning;

    /**
     * @param watts the power between the previous reading and this one
     * @param running the requests running now; the interval's load is taken as the mean
     * of its ends
     */
    synchronized void reading(double watts, int running) {
        reading(watts, Double.isNaN(lastWatts) ? running : (lastRunning + running) / 2.0, running);
    }

    /**
     * @param watts the power between the previous reading and this one
     * @param load the requests that ran on average over those seconds
     * @param running the requests running now
     */
    synchronized void reading(double watts, double load, int running) {
        if (load < 0.05) {
            // the lowest idle reading: one that still held the end of a request (this
            // service and the engine do not stop counting a request at the same instant)
            // must not raise it, or the watts of a request would be learned too low
            idle = Double.isNaN(idle) ? watts : Math.min(idle, watts);
        }
        else if (load >= 0.5) {
            // without an idle reading yet, all of the draw is the requests': too much,
            // never
            // too little
            double above = Double.isNaN(idle) ? watts : Math.max(0, watts - idle);
            // the highest lately, fading slowly: when this service holds requests the
            // engine has not started yet (a starved CPU), their load dilutes a reading's
            // watts per request, and a cap must not learn too few
            double ratio = above / load;
            perRequest = Double.isNaN(perRequest) ? ratio : Math.max(ratio, perRequest * FADING);
        }
        lastWatts = watts;
        lastLoad = load;
        lastRunning = running;
    }

    /**
     * What the node draws with {@code running} requests: the larger of idle plus their
     * watts and the latest reading moved by the requests started or ended since; NaN
     * before its first reading.
     */
    synchronized double predict(double running) {
        if (Double.isNaN(lastWatts)) {
            return Double.NaN;
        }
        if (Double.isNaN(perRequest)) {
            return lastWatts;
        }
        double moved = lastWatts + perRequest * (running - lastLoad);
        double line = Double.isNaN(idle) ? moved : idle + perRequest * running;
        return Math.max(0, Math.max(line, moved));
    }

    /**
     * Whether a loaded reading has shown what a request draws; until one has, a capped
     * node takes one more request per reading only.
     */
    synchronized boolean knowsPerRequest() {
        return !Double.isNaN(perRequest);
    }

    /** The watts one more request adds; NaN while unknown. */
    synchronized double perRequest() {
        return perRequest;
    }

    synchronized int runningAtLastReading() {
        return lastRunning;
    }

}
