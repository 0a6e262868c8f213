package io.tokenfactory.inference.routing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import io.tokenfactory.inference.InferenceProperties;
import io.tokenfactory.inference.ModelSettings;
import io.tokenfactory.inference.RoutingStrategy;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * Orders a model's deployments for one request by the model's strategy: the first serves
 * it, the others are where it is retried, in order, if a server fails before answering.
 * Deployments whose circuit is open come last. Latency, cost and efficiency trust a
 * deployment's moving averages only after {@code router.warm-up} requests: until then it
 * is sent work as least-outstanding would; one that served nothing for
 * {@code router.stale-after} gets the next request, to refresh them.
 */
@Component
public class DeploymentRouter {

    private final Deployments deployments;

    private final BillingRatesClient rates;

    private final int warmUp;

    private final long staleAfterMs;

    private final MeterRegistry meters;

    private final Map<String, SmoothRoundRobin> rounds = new ConcurrentHashMap<>();

    private final Map<String, Long> probedAt = new ConcurrentHashMap<>();

    DeploymentRouter(Deployments deployments, BillingRatesClient rates, InferenceProperties properties,
            MeterRegistry meters) {
        this.deployments = deployments;
        this.rates = rates;
        this.warmUp = properties.router().warmUp();
        this.staleAfterMs = properties.router().staleAfter().toMillis();
        this.meters = meters;
    }

    /** The model's deployments in the order this request tries them. */
    public List<Deployment> route(ModelSettings model) {
        List<Deployment> all = deployments.of(model.name());
        if (all.size() <= 1) {
            return all;
        }
        List<Deployment> available = new ArrayList<>();
        List<Deployment> open = new ArrayList<>();
        all.forEach(deployment -> (deployment.available() ? available : open).add(deployment));
        List<Deployment> ordered = order(model, available);
        ordered.addAll(open);
        if (!ordered.isEmpty()) {
            Counter.builder("tokenfactory.inference.routing.routed")
                .tag("model", model.name())
                .tag("deployment", ordered.get(0).name())
                .tag("strategy", strategyTag(model.routing().strategy()))
                .description("requests routed to each deployment")
                .register(meters)
                .increment();
        }
        return ordered;
    }

    private List<Deployment> order(ModelSettings model, List<Deployment> available) {
        if (available.isEmpty()) {
            return new ArrayList<>();
        }
        RoutingStrategy strategy = model.routing().strategy();
        List<Deployment> ordered = switch (strategy) {
            case ROUND_ROBIN -> rounds.computeIfAbsent(model.name(), name -> new SmoothRoundRobin()).order(available);
            case PRIORITY -> sorted(available, Comparator.comparingInt((Deployment d) -> d.settings().priority())
                .thenComparing(Comparator.comparingInt((Deployment d) -> d.settings().weight()).reversed()));
            case LEAST_OUTSTANDING -> leastOutstanding(available);
            case LATENCY, COST, EFFICIENCY -> learned(model, strategy, available);
        };
        return new ArrayList<>(ordered);
    }

    private List<Deployment> learned(ModelSettings model, RoutingStrategy strategy, List<Deployment> available) {
        // a deployment not yet measured, or not heard of for long, goes first, one
        // request at a time: routing can only prefer what it has measured
        Deployment first = null;
        for (Deployment deployment : leastOutstanding(available)) {
            DeploymentStats.Snapshot stats = deployment.stats().snapshot();
            // a metered node whose meter has not answered yet is measured on latency
            // only,
            // after a while
            boolean energyPending = strategy != RoutingStrategy.LATENCY && deployment.metered()
                    && stats.energySamples() < warmUp && stats.latencySamples() < 4L * Math.max(1, warmUp);
            boolean unmeasured = stats.latencySamples() < warmUp || energyPending;
            if (deployment.outstanding() == 0 && (unmeasured || dueProbe(deployment, stats))) {
                first = deployment;
                break;
            }
        }
        List<Deployment> ordered = switch (strategy) {
            case LATENCY -> sorted(available, Comparator.comparingDouble(this::expectedFirstTokenMs));
            case COST -> withinConcurrency(available, Comparator.comparingDouble(this::costPerToken));
            default -> withinObjective(model, available);
        };
        if (first != null) {
            ordered = new ArrayList<>(ordered);
            ordered.remove(first);
            ordered.add(0, first);
        }
        return ordered;
    }

    /**
     * Efficiency: the most tokens per joule first among deployments within the latency
     * objective, each filled up to the concurrency it keeps within it; then the others,
     * fastest first.
     */
    private List<Deployment> withinObjective(ModelSettings model, List<Deployment> available) {
        long objectiveMs = model.routing().timeToFirstTokenObjective().toMillis();
        List<Deployment> within = new ArrayList<>();
        List<Deployment> beyond = new ArrayList<>();
        for (Deployment deployment : available) {
            double ttft = deployment.stats().snapshot().timeToFirstTokenMs();
            (Double.isNaN(ttft) || ttft <= objectiveMs ? within : beyond).add(deployment);
        }
        List<Deployment> ordered = new ArrayList<>(
                withinConcurrency(within, Comparator.comparingDouble(d -> -tokensPerJoule(d))));
        ordered.addAll(sorted(beyond, Comparator.comparingDouble(this::expectedFirstTokenMs)));
        return ordered;
    }

    /**
     * The best by {@code preference} that has room within its learned concurrency first;
     * when all are full, the one with the most room left relative to it.
     */
    private static List<Deployment> withinConcurrency(List<Deployment> candidates, Comparator<Deployment> preference) {
        List<Deployment> room = new ArrayList<>();
        List<Deployment> full = new ArrayList<>();
        for (Deployment deployment : sorted(candidates, preference)) {
            (deployment.outstanding() < deployment.stats().snapshot().concurrency() ? room : full).add(deployment);
        }
        room.addAll(sorted(full,
                Comparator.comparingDouble(d -> d.outstanding() / Math.max(1, d.stats().snapshot().concurrency()))));
        return room;
    }

    private static List<Deployment> leastOutstanding(List<Deployment> candidates) {
        // ties go in turn, so equal deployments share the work
        int offset = (int) (System.nanoTime() & 0xffff);
        List<Deployment> rotated = new ArrayList<>(candidates.size());
        for (int i = 0; i < candidates.size(); i++) {
            rotated.add(candidates.get((i + offset) % candidates.size()));
        }
        return sorted(rotated, Comparator.comparingDouble(d -> d.outstanding() / (double) d.settings().weight()));
    }

    private boolean dueProbe(Deployment deployment, DeploymentStats.Snapshot stats) {
        if (stats.sinceLastSampleMs() < staleAfterMs || deployment.outstanding() > 0) {
            return false;
        }
        long now = System.currentTimeMillis();
        Long last = probedAt.get(deployment.name());
        if (last != null && now - last < staleAfterMs) {
            return false;
        }
        probedAt.put(deployment.name(), now);
        return true;
    }

    /**
     * Its moving average of time to first token, grown with the work already waiting for
     * it: a fast deployment that is busy may be slower than an idle slow one.
     */
    private double expectedFirstTokenMs(Deployment deployment) {
        DeploymentStats.Snapshot stats = deployment.stats().snapshot();
        double ttft = Double.isNaN(stats.timeToFirstTokenMs()) ? 0 : stats.timeToFirstTokenMs();
        double itl = Double.isNaN(stats.interTokenMs()) ? 0 : stats.interTokenMs();
        return (ttft + itl) * (1 + deployment.outstanding() / Math.max(1, stats.concurrency()));
    }

    private double tokensPerJoule(Deployment deployment) {
        double value = deployment.stats().snapshot().tokensPerJoule();
        // an unmetered deployment ranks after every measured one
        return Double.isNaN(value) ? -1 : value;
    }

    /** Cost per token; an unknown one ranks last. */
    double costPerToken(Deployment deployment) {
        Double cost = costPerTokenOrNull(deployment);
        return cost == null ? Double.MAX_VALUE : cost;
    }

    /** Cost per token at billing's rates for its node; null while unknown. */
    private @Nullable Double costPerTokenOrNull(Deployment deployment) {
        DeploymentStats.Snapshot stats = deployment.stats().snapshot();
        if (Double.isNaN(stats.joulesPerToken())) {
            return null;
        }
        return rates.of(deployment.node())
            .map(rate -> rate.costPerToken(stats.joulesPerToken(), stats.acceleratorSecondsPerToken()))
            .orElse(null);
    }

    /**
     * Cost per token of work with these joules and accelerator-seconds per token on the
     * node, at billing's rates; null while billing's rates are unknown.
     */
    public @Nullable Double costPerToken(String node, double joulesPerToken, double acceleratorSecondsPerToken) {
        return rates.of(node).map(rate -> rate.costPerToken(joulesPerToken, acceleratorSecondsPerToken)).orElse(null);
    }

    /** The currency of billing's rates for the node; null while unknown. */
    public @Nullable String currency(String node) {
        return rates.of(node).map(BillingRatesClient.Rates::currency).orElse(null);
    }

    private static List<Deployment> sorted(List<Deployment> candidates, Comparator<Deployment> order) {
        List<Deployment> sorted = new ArrayList<>(candidates);
        sorted.sort(order);
        return sorted;
    }

    static String strategyTag(RoutingStrategy strategy) {
        return strategy.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /**
     * Weighted round robin that spreads each deployment's turns evenly (nginx's smooth
     * weighted round robin).
     */
    static final class SmoothRoundRobin {

        private final Map<String, Integer> current = new ConcurrentHashMap<>();

        synchronized List<Deployment> order(List<Deployment> candidates) {
            int total = 0;
            Deployment best = null;
            for (Deployment deployment : candidates) {
                int weight = deployment.settings().weight();
                total += weight;
                int value = current.merge(deployment.name(), weight, Integer::sum);
                if (best == null || value > current.get(best.name())) {
                    best = deployment;
                }
            }
            current.merge(best.name(), -total, Integer::sum);
            List<Deployment> ordered = new ArrayList<>(candidates);
            ordered.remove(best);
            ordered.add(0, best);
            return ordered;
        }

    }

}
