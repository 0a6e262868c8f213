package io.tokenfactory.inference.power;

/**
 * A node's power as a line in its running requests, {@code watts ≈ idle + perRequest ×
 * running}, fitted to its meter's readings by least squares with exponential forgetting.
 * The meter lags by a reading; the line does not: it tells what one more request will
 * draw before the meter can show it.
 */
final class NodePowerModel {

    /** Each reading's weight fades by this much per newer reading. */
    private static final double FORGETTING = 0.98;

    private double weights;

    private double sumRunning;

    private double sumRunningSquared;

    private double sumWatts;

    private double sumRunningWatts;

    private double lastWatts = Double.NaN;

    private int lastRunning;

    private double lastLoad;

    /**
     * @param watts the power between the previous reading and this one
     * @param running the requests running now
     */
    synchronized void reading(double watts, int running) {
        // the power is the interval's: the load it matches is about the mean of the
        // loads at its ends
        double load = weights == 0 ? running : (lastRunning + running) / 2.0;
        lastRunning = running;
        weights = weights * FORGETTING + 1;
        sumRunning = sumRunning * FORGETTING + load;
        sumRunningSquared = sumRunningSquared * FORGETTING + load * load;
        sumWatts = sumWatts * FORGETTING + watts;
        sumRunningWatts = sumRunningWatts * FORGETTING + load * watts;
        lastWatts = watts;
        lastLoad = load;
    }

    /**
     * What the node draws with {@code running} requests: the larger of the line's value
     * and the latest reading moved along the line by the load since; NaN before its first
     * reading.
     */
    synchronized double predict(int running) {
        if (weights == 0) {
            return Double.NaN;
        }
        double[] line = line();
        return Math.max(0, Math.max(line[0] + line[1] * running, lastWatts + line[1] * (running - lastLoad)));
    }

    /**
     * Whether readings at more than one load have shown what a request draws; until they
     * have, a capped node takes one more request per reading only.
     */
    synchronized boolean knowsPerRequest() {
        if (weights == 0) {
            return false;
        }
        double meanRunning = sumRunning / weights;
        return sumRunningSquared / weights - meanRunning * meanRunning > 0.05 || meanRunning >= 0.5;
    }

    synchronized int runningAtLastReading() {
        return lastRunning;
    }

    /** The watts one more request adds; NaN while unknown. */
    synchronized double perRequest() {
        return weights == 0 ? Double.NaN : line()[1];
    }

    synchronized double lastWatts() {
        return lastWatts;
    }

    /**
     * Intercept and slope; a node seen at one load only is read as drawing nothing idle.
     */
    private double[] line() {
        double meanRunning = sumRunning / weights;
        double meanWatts = sumWatts / weights;
        double variance = sumRunningSquared / weights - meanRunning * meanRunning;
        if (variance > 0.05) {
            double slope = (sumRunningWatts / weights - meanRunning * meanWatts) / variance;
            if (slope >= 0) {
                double intercept = meanWatts - slope * meanRunning;
                if (intercept >= 0) {
                    return new double[] { intercept, slope };
                }
                // never below zero idle: the line through the origin and the mean
            }
            else {
                // more requests drawing less is noise: hold the mean
                return new double[] { meanWatts, 0 };
            }
        }
        if (meanRunning < 0.5) {
            // seen idle only: one request's watts are unknown; hold the measured draw
            return new double[] { meanWatts, 0 };
        }
        // conservative: all of the draw is the requests'
        return new double[] { 0, meanWatts / meanRunning };
    }

}
