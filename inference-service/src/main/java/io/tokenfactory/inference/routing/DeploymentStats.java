package io.tokenfactory.inference.routing;

import io.tokenfactory.inference.energy.MeasuredEnergy;

/**
 * What one deployment has shown lately, as exponentially weighted moving averages: time
 * to first token, inter-token latency, and (from settled energy) joules and
 * accelerator-seconds per token. Also the concurrency at which its time to first token
 * stays within the model's objective, learned by additive increase and multiplicative
 * decrease.
 */
final class DeploymentStats {

    private final double smoothing;

    private final double maxConcurrency;

    private double timeToFirstTokenMs = Double.NaN;

    private double interTokenMs = Double.NaN;

    private long latencySamples;

    private long lastSampleNanos;

    private double tokens;

    private double joules;

    private double acceleratorSeconds;

    private long energySamples;

    private double concurrency;

    /**
     * @param maxConcurrency what the deployment may run at once (its server's slots, the
     * engine's batch)
     */
    DeploymentStats(double smoothing, int maxConcurrency) {
        this.smoothing = smoothing;
        this.maxConcurrency = Math.max(1, maxConcurrency);
        this.concurrency = Math.min(this.maxConcurrency, 4);
        this.lastSampleNanos = System.nanoTime();
    }

    /**
     * A request that produced tokens ended.
     * @param outstanding the deployment's requests in flight or waiting now
     * @param objectiveMs the model's time to first token objective
     */
    synchronized void served(long firstTokenMs, long elapsedMs, long completionTokens, int outstanding,
            long objectiveMs) {
        timeToFirstTokenMs = average(timeToFirstTokenMs, firstTokenMs);
        if (completionTokens > 1 && elapsedMs > firstTokenMs) {
            interTokenMs = average(interTokenMs, (elapsedMs - firstTokenMs) / (double) (completionTokens - 1));
        }
        latencySamples++;
        lastSampleNanos = System.nanoTime();
        if (firstTokenMs > objectiveMs) {
            concurrency = Math.max(1, concurrency * 0.8);
        }
        else if (firstTokenMs <= objectiveMs * 0.8 && outstanding + 1 >= concurrency) {
            // only a deployment that was kept at its limit shows the limit can grow
            concurrency = Math.min(maxConcurrency, concurrency + 1);
        }
    }

    synchronized void settled(long requestTokens, MeasuredEnergy energy) {
        tokens = tokens * (1 - smoothing) + requestTokens;
        joules = joules * (1 - smoothing) + energy.joules();
        acceleratorSeconds = acceleratorSeconds * (1 - smoothing) + energy.acceleratorSeconds();
        energySamples++;
    }

    private double average(double current, double sample) {
        return Double.isNaN(current) ? sample : current + smoothing * (sample - current);
    }

    synchronized Snapshot snapshot() {
        return new Snapshot(timeToFirstTokenMs, interTokenMs, latencySamples, joules > 0 ? tokens / joules : Double.NaN,
                tokens > 0 ? joules / tokens : Double.NaN, tokens > 0 ? acceleratorSeconds / tokens : Double.NaN,
                energySamples, concurrency, (System.nanoTime() - lastSampleNanos) / 1_000_000);
    }

    /**
     * @param tokensPerJoule NaN until a request's energy was measured
     * @param concurrency in-flight requests it takes within the latency objective
     * @param sinceLastSampleMs how long since it last served a request
     */
    record Snapshot(double timeToFirstTokenMs, double interTokenMs, long latencySamples, double tokensPerJoule,
            double joulesPerToken, double acceleratorSecondsPerToken, long energySamples, double concurrency,
            long sinceLastSampleMs) {
    }

}
