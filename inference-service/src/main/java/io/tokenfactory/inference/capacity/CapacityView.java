package io.tokenfactory.inference.capacity;

import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.tokenfactory.inference.NodeDeclarations;
import io.tokenfactory.inference.energy.NodeEnergies;
import io.tokenfactory.inference.energy.NodeEnergy;
import io.tokenfactory.inference.power.PowerGovernor;
import io.tokenfactory.inference.power.PowerScope;
import io.tokenfactory.inference.routing.Deployment;
import io.tokenfactory.inference.routing.DeploymentRouter;
import io.tokenfactory.inference.routing.Deployments;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Per node and per deployment over a window (the last hour or day) from the request log:
 * busy share (the union of its requests' times over the window), tokens per second and
 * per joule, cost per token at billing's current rates, and mean queue depth (the time
 * requests waited for a slot over the window, by Little's law); beside what holds now:
 * requests in flight and waiting, measured draw and cap, and for deployments their
 * circuit and the moving averages routing uses.
 */
@Service
public class CapacityView {

    private final JdbcTemplate jdbc;

    private final Deployments deployments;

    private final DeploymentRouter router;

    private final PowerGovernor power;

    private final NodeDeclarations declarations;

    private final NodeEnergies energies;

    private final Clock clock;

    CapacityView(JdbcTemplate jdbc, Deployments deployments, DeploymentRouter router, PowerGovernor power,
            NodeDeclarations declarations, NodeEnergies energies, Clock clock) {
        this.jdbc = jdbc;
        this.deployments = deployments;
        this.router = router;
        this.power = power;
        this.declarations = declarations;
        this.energies = energies;
        this.clock = clock;
    }

    /** The figures of one node or deployment over the window. */
    public record Served(long requests, long completionTokens, double tokensPerSecond, double busyShare,
            double meanQueueDepth, @Nullable Double joules, @Nullable Double tokensPerJoule,
            @Nullable Double costPerToken) {
    }

    public record NodeRow(String node, @Nullable String site, @Nullable String nodeClass, String energySource,
            @Nullable Double drawWatts, @Nullable Double capWatts, int inFlight, int queueDepth, double meanQueueDepth,
            double busyShare, long requests, long completionTokens, double tokensPerSecond, @Nullable Double joules,
            @Nullable Double tokensPerJoule, @Nullable Double costPerToken) {
    }

    public record DeploymentRow(String model, String deployment, String node, String strategy, int weight, int priority,
            String circuit, int inFlight, int queueDepth, @Nullable Double timeToFirstTokenMs,
            @Nullable Double interTokenMs, double meanQueueDepth, double busyShare, long requests,
            long completionTokens, double tokensPerSecond, @Nullable Double joules, @Nullable Double tokensPerJoule,
            @Nullable Double costPerToken) {
    }

    public record Capacity(String window, Instant from, Instant to, @Nullable String currency, List<NodeRow> nodes,
            List<DeploymentRow> deployments) {
    }

    private record Totals(long requests, long completionTokens, long tokens, double joules, long tokensWithEnergy,
            double acceleratorSeconds, long queuedMs) {
    }

    @Transactional(readOnly = true)
    public Capacity over(String name, Duration window) {
        Instant to = clock.instant();
        Instant from = to.minus(window);
        double seconds = window.toMillis() / 1000.0;
        Map<String, Totals> byNode = totals("node", from, to);
        Map<String, Totals> byDeployment = totals("coalesce(deployment, model)", from, to);
        Map<String, Double> busyByNode = busy("node", from, to);
        Map<String, Double> busyByDeployment = busy("coalesce(deployment, model)", from, to);
        Map<String, Double> caps = new HashMap<>();
        power.states()
            .stream()
            .filter(state -> state.cap().scope() == PowerScope.NODE)
            .forEach(state -> caps.put(state.cap().name(), state.cap().watts()));
        Map<String, Double> draws = new HashMap<>();
        power.draws()
            .stream()
            .filter(draw -> draw.scope() == PowerScope.NODE && draw.drawWatts() != null)
            .forEach(draw -> draws.put(draw.name(), draw.drawWatts()));
        String currency = null;

        List<DeploymentRow> deploymentRows = new ArrayList<>();
        Map<String, int[]> liveByNode = new LinkedHashMap<>();
        for (Deployment deployment : deployments.all()) {
            Served served = served(byDeployment.get(deployment.name()), busyByDeployment.get(deployment.name()),
                    seconds, deployment.node());
            Deployment.Learned learned = deployment.learned();
            deploymentRows.add(new DeploymentRow(deployment.model().name(), deployment.name(), deployment.node(),
                    deployment.model().routing().strategy().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'),
                    deployment.settings().weight(), deployment.settings().priority(), deployment.circuit().name(),
                    deployment.inFlight(), deployment.queueDepth(), learned.timeToFirstTokenMs(),
                    learned.interTokenMs(), served.meanQueueDepth(), served.busyShare(), served.requests(),
                    served.completionTokens(), served.tokensPerSecond(), served.joules(), served.tokensPerJoule(),
                    served.costPerToken()));
            int[] live = liveByNode.computeIfAbsent(deployment.node(), node -> new int[2]);
            live[0] += deployment.inFlight();
            live[1] += deployment.queueDepth();
            if (currency == null) {
                currency = router.currency(deployment.node());
            }
        }
        List<NodeRow> nodeRows = new ArrayList<>();
        List<String> names = new ArrayList<>();
        declarations.all().forEach(node -> names.add(node.name()));
        liveByNode.keySet().stream().filter(node -> !names.contains(node)).forEach(names::add);
        byNode.keySet().stream().filter(node -> !names.contains(node)).forEach(names::add);
        for (String node : names) {
            NodeDeclarations.Node declared = declarations.find(node).orElse(null);
            Totals totals = byNode.get(node);
            int[] live = liveByNode.getOrDefault(node, new int[2]);
            if (declared != null && totals == null && !liveByNode.containsKey(node) && energies.find(node).isEmpty()) {
                // declared, but no model of this service runs on it
                continue;
            }
            Served served = served(totals, busyByNode.get(node), seconds, node);
            String source = energies.find(node).map(NodeEnergy::source).map(Enum::name).orElse("NONE");
            nodeRows.add(new NodeRow(node, declared == null ? null : declared.site(),
                    declared == null ? null : declared.nodeClass(), source, draws.get(node), caps.get(node), live[0],
                    live[1], served.meanQueueDepth(), served.busyShare(), served.requests(), served.completionTokens(),
                    served.tokensPerSecond(), served.joules(), served.tokensPerJoule(), served.costPerToken()));
        }
        return new Capacity(name, from, to, currency, nodeRows, deploymentRows);
    }

    private Served served(@Nullable Totals totals, @Nullable Double busySeconds, double seconds, String node) {
        if (totals == null) {
            return new Served(0, 0, 0, 0, 0, null, null, null);
        }
        Double joules = totals.tokensWithEnergy() > 0 ? totals.joules() : null;
        Double perJoule = joules != null && joules > 0 ? totals.tokensWithEnergy() / joules : null;
        Double cost = joules == null ? null : router.costPerToken(node, joules / totals.tokensWithEnergy(),
                totals.acceleratorSeconds() / totals.tokensWithEnergy());
        return new Served(totals.requests(), totals.completionTokens(), totals.completionTokens() / seconds,
                Math.min(1, (busySeconds == null ? 0 : busySeconds) / seconds), totals.queuedMs() / 1000.0 / seconds,
                joules, perJoule, cost);
    }

    private Map<String, Totals> totals(String key, Instant from, Instant to) {
        Map<String, Totals> totals = new HashMap<>();
        jdbc.query("""
                SELECT %s AS key, count(*) AS requests, coalesce(sum(completion_tokens), 0) AS completion_tokens,
                    coalesce(sum(prompt_tokens + completion_tokens), 0) AS tokens,
                    coalesce(sum(energy_joules) FILTER (WHERE measured), 0) AS joules,
                    coalesce(sum(prompt_tokens + completion_tokens) FILTER (WHERE measured), 0) AS tokens_with_energy,
                    coalesce(sum(accelerator_seconds) FILTER (WHERE measured), 0) AS accelerator_seconds,
                    coalesce(sum(queued_ms), 0) AS queued_ms
                FROM (SELECT *, energy_settled_at IS NOT NULL AND energy_source <> 'NONE' AS measured
                      FROM inference_request WHERE completed_at >= ? AND completed_at < ?) r
                GROUP BY 1""".formatted(key), (ResultSet row) -> {
            totals.put(row.getString("key"),
                    new Totals(row.getLong("requests"), row.getLong("completion_tokens"), row.getLong("tokens"),
                            row.getDouble("joules"), row.getLong("tokens_with_energy"),
                            row.getDouble("accelerator_seconds"), row.getLong("queued_ms")));
        }, Timestamp.from(from), Timestamp.from(to));
        return totals;
    }

    /**
     * Seconds of the window in which at least one request ran: overlapping requests
     * merged into busy spans (gaps and islands), each clipped to the window.
     */
    private Map<String, Double> busy(String key, Instant from, Instant to) {
        Map<String, Double> busy = new HashMap<>();
        jdbc.query("""
                WITH spans AS (
                    SELECT %s AS key, GREATEST(started_at, ?) AS s, LEAST(completed_at, ?) AS e
                    FROM inference_request WHERE completed_at >= ? AND started_at < ?),
                marked AS (
                    SELECT key, s, e, max(e) OVER (PARTITION BY key ORDER BY s, e
                        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reached FROM spans),
                islands AS (
                    SELECT key, s, e, sum(CASE WHEN reached IS NULL OR s > reached THEN 1 ELSE 0 END)
                        OVER (PARTITION BY key ORDER BY s, e) AS island FROM marked)
                SELECT key, sum(seconds) AS seconds FROM (
                    SELECT key, extract(epoch FROM max(e) - min(s)) AS seconds FROM islands GROUP BY key, island) i
                GROUP BY key""".formatted(key), (ResultSet row) -> {
            busy.put(row.getString("key"), row.getDouble("seconds"));
        }, Timestamp.from(from), Timestamp.from(to), Timestamp.from(from), Timestamp.from(to));
        return busy;
    }

}
