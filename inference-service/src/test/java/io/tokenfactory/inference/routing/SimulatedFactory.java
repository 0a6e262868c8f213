package io.tokenfactory.inference.routing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.tokenfactory.simulated.SimulatedGpuNode;

/**
 * Simulated GPU nodes and the properties that declare them and models deployed across
 * them, for the routing and power cap tests.
 */
final class SimulatedFactory {

    private final Map<String, String> properties = new LinkedHashMap<>();

    private final List<String> nodes = new ArrayList<>();

    private int models;

    SimulatedFactory node(String name, SimulatedGpuNode node, String site) {
        String prefix = "tokenfactory.nodes[" + nodes.size() + "].";
        properties.put(prefix + "name", name);
        properties.put(prefix + "node-class", "sim-" + name);
        properties.put(prefix + "energy.source", "dcgm");
        properties.put(prefix + "energy.url", node.metricsUrl());
        properties.put(prefix + "energy.interval", "200ms");
        if (site != null) {
            properties.put(prefix + "site", site);
        }
        nodes.add(name);
        return this;
    }

    /**
     * A model with deployments: each
     * {@code name, node, simulated node, weight, priority}.
     */
    SimulatedFactory model(String name, String strategy, Duration objective, Deployment... deployments) {
        String prefix = "tokenfactory.inference.models[" + models++ + "].";
        properties.put(prefix + "name", name);
        properties.put(prefix + "task", "generation");
        properties.put(prefix + "backend", "remote");
        properties.put(prefix + "context-length", "8192");
        properties.put(prefix + "max-output-tokens", "2048");
        properties.put(prefix + "routing.strategy", strategy);
        properties.put(prefix + "routing.time-to-first-token-objective", objective.toMillis() + "ms");
        for (int i = 0; i < deployments.length; i++) {
            Deployment deployment = deployments[i];
            String at = prefix + "deployments[" + i + "].";
            properties.put(at + "name", deployment.name());
            properties.put(at + "weight", String.valueOf(deployment.weight()));
            properties.put(at + "priority", String.valueOf(deployment.priority()));
            properties.put(at + "remote.base-url", deployment.server().baseUrl());
            properties.put(at + "remote.upstream-model", "simulated-llm");
            properties.put(at + "remote.node", deployment.node());
            properties.put(at + "remote.timeout", "20s");
            properties.put(at + "remote.max-concurrency", String.valueOf(deployment.maxConcurrency()));
            properties.put(at + "remote.open-for", "60s");
        }
        return this;
    }

    SimulatedFactory property(String name, String value) {
        properties.put(name, value);
        return this;
    }

    Map<String, String> properties() {
        return properties;
    }

    record Deployment(String name, String node, SimulatedGpuNode server, int weight, int priority, int maxConcurrency) {

        static Deployment of(String name, String node, SimulatedGpuNode server) {
            return new Deployment(name, node, server, 1, 0, 32);
        }

        Deployment weight(int value) {
            return new Deployment(name, node, server, value, priority, maxConcurrency);
        }

        Deployment priority(int value) {
            return new Deployment(name, node, server, weight, value, maxConcurrency);
        }

        Deployment maxConcurrency(int value) {
            return new Deployment(name, node, server, weight, priority, value);
        }
    }

    static SimulatedGpuNode start(String hostname, double idleWatts, double wattsPerRequest, Duration step) {
        return SimulatedGpuNode
            .start(new SimulatedGpuNode.Settings(0, hostname, 1, idleWatts, wattsPerRequest, step, Duration.ZERO, 32));
    }

}
