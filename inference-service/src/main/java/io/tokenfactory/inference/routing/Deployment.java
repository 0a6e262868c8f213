package io.tokenfactory.inference.routing;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;

import io.tokenfactory.inference.ModelSettings;
import io.tokenfactory.inference.generation.GenerationEngine;
import io.tokenfactory.inference.remote.RemoteModelClient;

import org.jspecify.annotations.Nullable;

/**
 * One place a model runs, as routing sees it: a remote server, or this process's engine
 * of the model, on a node.
 */
public final class Deployment {

    private final ModelSettings model;

    private final ModelSettings.DeploymentSettings settings;

    private final @Nullable RemoteModelClient remote;

    private final @Nullable GenerationEngine engine;

    private final String node;

    private final DeploymentStats stats;

    private final boolean metered;

    Deployment(ModelSettings model, ModelSettings.DeploymentSettings settings, @Nullable RemoteModelClient remote,
            @Nullable GenerationEngine engine, String node, boolean metered, DeploymentStats stats) {
        this.metered = metered;
        this.model = model;
        this.settings = settings;
        this.remote = remote;
        this.engine = engine;
        this.node = node;
        this.stats = stats;
    }

    public String name() {
        return settings.name();
    }

    public ModelSettings model() {
        return model;
    }

    public ModelSettings.DeploymentSettings settings() {
        return settings;
    }

    /** The node it runs on (for a server on no declared node: the server's host). */
    public String node() {
        return node;
    }

    /** Its node has a meter: its requests get measured energy. */
    public boolean metered() {
        return metered;
    }

    public boolean local() {
        return remote == null;
    }

    /** The server of a remote deployment. */
    public RemoteModelClient remote() {
        if (remote == null) {
            throw new IllegalStateException(name() + " is local");
        }
        return remote;
    }

    /** The engine of a local deployment. */
    public GenerationEngine engine() {
        if (engine == null) {
            throw new IllegalStateException(name() + " is not a local generation engine");
        }
        return engine;
    }

    /** Requests running on it now. */
    public int inFlight() {
        return remote != null ? remote.inFlight() : engine != null ? engine.inFlight() : 0;
    }

    /** Requests waiting here for a free slot on its server. */
    public int queueDepth() {
        return remote != null ? remote.waiting() : 0;
    }

    /** The most it runs at once: its server's slots, or the engine's batch. */
    public int limit() {
        return remote != null ? settings.remote().maxConcurrency() : model.maxBatch();
    }

    /** Requests running on it, and those waiting that will run as soon as slots free. */
    public int running() {
        return Math.min(outstanding(), limit());
    }

    public int outstanding() {
        return inFlight() + queueDepth();
    }

    public CircuitBreaker.State circuit() {
        if (remote != null) {
            return remote.state();
        }
        return engine != null && engine.stopped() ? CircuitBreaker.State.OPEN : CircuitBreaker.State.CLOSED;
    }

    /** Its circuit lets requests through (closed, or half open to try it). */
    public boolean available() {
        CircuitBreaker.State state = circuit();
        return state != CircuitBreaker.State.OPEN && state != CircuitBreaker.State.FORCED_OPEN;
    }

    DeploymentStats stats() {
        return stats;
    }

    /** What routing has learned of it, for the capacity view. */
    public Learned learned() {
        DeploymentStats.Snapshot snapshot = stats.snapshot();
        return new Learned(nanToNull(snapshot.timeToFirstTokenMs()), nanToNull(snapshot.interTokenMs()),
                nanToNull(snapshot.tokensPerJoule()), nanToNull(snapshot.joulesPerToken()),
                nanToNull(snapshot.acceleratorSecondsPerToken()), snapshot.concurrency());
    }

    /**
     * Moving averages; null until measured.
     *
     * @param concurrency the in-flight requests it takes within the model's latency
     * objective (efficiency and cost routing fill it up to this first)
     */
    public record Learned(@Nullable Double timeToFirstTokenMs, @Nullable Double interTokenMs,
            @Nullable Double tokensPerJoule, @Nullable Double joulesPerToken,
            @Nullable Double acceleratorSecondsPerToken, double concurrency) {
    }

    private static @Nullable Double nanToNull(double value) {
        return Double.isNaN(value) ? null : value;
    }

    @Override
    public String toString() {
        return name();
    }

}
