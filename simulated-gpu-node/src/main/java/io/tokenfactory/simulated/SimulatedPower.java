package io.tokenfactory.simulated;

import java.util.Arrays;

/**
 * The simulated GPUs' power and energy: each draws its idle watts plus its share of the
 * watts per running request, and each GPU's energy counter (millijoules since the
 * simulated driver load) integrates that power exactly. A reset starts the counters from
 * zero again, as a driver reload does; {@link #totalJoules()} keeps the truth across
 * resets.
 */
final class SimulatedPower {

    private final int gpus;

    private final double idleWatts;

    private final double wattsPerRequest;

    private final double[] counterJoules;

    private double totalJoules;

    private int running;

    private long lastNanos = System.nanoTime();

    SimulatedPower(int gpus, double idleWatts, double wattsPerRequest) {
        this.gpus = gpus;
        this.idleWatts = idleWatts;
        this.wattsPerRequest = wattsPerRequest;
        this.counterJoules = new double[gpus];
    }

    /** The number of requests the engine is working on changed. */
    synchronized void running(int requests) {
        advance();
        running = requests;
    }

    synchronized double[] counterJoules() {
        advance();
        return Arrays.copyOf(counterJoules, gpus);
    }

    synchronized double[] watts() {
        double[] watts = new double[gpus];
        Arrays.fill(watts, gpuWatts());
        return watts;
    }

    synchronized double totalJoules() {
        advance();
        return totalJoules;
    }

    synchronized void resetCounters() {
        advance();
        Arrays.fill(counterJoules, 0);
    }

    private double gpuWatts() {
        return idleWatts + wattsPerRequest * running / gpus;
    }

    private void advance() {
        long now = System.nanoTime();
        double seconds = (now - lastNanos) / 1e9;
        lastNanos = now;
        double joules = gpuWatts() * seconds;
        for (int gpu = 0; gpu < gpus; gpu++) {
            counterJoules[gpu] += joules;
        }
        totalJoules += joules * gpus;
    }

}
