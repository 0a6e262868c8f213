package io.tokenfactory.inference;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import io.tokenfactory.inference.NodeSettings.MeterSettings;

import org.springframework.stereotype.Component;

/**
 * The declared nodes, checked as a whole before anything starts: each problem is refused
 * with one line naming the node (or model) and what is wrong, never left to fail later.
 * The node this service runs on ({@code tokenfactory.inference.node}) is declared
 * implicitly with an {@code auto} meter when the list omits it.
 */
@Component
public class NodeDeclarations {

    /** How a node's energy is read. */
    public enum Source {

        AUTO, NVML, DCGM, KEPLER, RAPL, ESTIMATED, NONE;

        /** Sources that read the machine this service runs on. */
        boolean local() {
            return this == AUTO || this == NVML || this == RAPL || this == ESTIMATED;
        }

    }

    /**
     * A checked node declaration. {@code local}: the node this service runs on;
     * {@code site}: null when it names none.
     */
    public record Node(String name, String nodeClass, Source source, MeterSettings meter, boolean local, String site) {
    }

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,199}");

    private static final Duration SHORTEST_INTERVAL = Duration.ofMillis(100);

    private static final Duration LONGEST_INTERVAL = Duration.ofMinutes(1);

    private final Map<String, Node> nodes = new LinkedHashMap<>();

    private final Map<String, Node> byModel = new LinkedHashMap<>();

    private final Map<String, Node> byDeployment = new LinkedHashMap<>();

    private final Node local;

    NodeDeclarations(NodesProperties declared, InferenceProperties properties) {
        List<NodeSettings> list = declared.nodes() == null ? List.of() : declared.nodes();
        for (int i = 0; i < list.size(); i++) {
            Node node = check(i, list.get(i), properties.node());
            if (nodes.putIfAbsent(node.name(), node) != null) {
                throw new InvalidNodeConfiguration("tokenfactory.nodes[" + i + "]: the name '" + node.name()
                        + "' is declared twice; node names are unique in the factory");
            }
        }
        local = nodes.computeIfAbsent(properties.node(),
                name -> new Node(name, null, Source.AUTO, MeterSettings.automatic(), true, null));
        for (int i = 0; i < properties.models().size(); i++) {
            ModelSettings model = properties.models().get(i);
            List<ModelSettings.DeploymentSettings> deployments = model.servedBy();
            for (int d = 0; d < deployments.size(); d++) {
                ModelSettings.DeploymentSettings deployment = deployments.get(d);
                String node = deployment.remote() == null ? null : deployment.remote().node();
                if (node == null || node.isBlank()) {
                    continue;
                }
                Node declaredNode = nodes.get(node);
                if (declaredNode == null) {
                    String where = model.deployments().isEmpty() ? "remote.node" : "deployments[" + d + "].remote.node";
                    throw new InvalidNodeConfiguration("tokenfactory.inference.models[" + i + "] '" + model.name()
                            + "': " + where + " '" + node + "' is not declared under tokenfactory.nodes (declared: "
                            + String.join(", ", nodes.keySet()) + ")");
                }
                byModel.putIfAbsent(model.name(), declaredNode);
                byDeployment.put(deployment.name(), declaredNode);
            }
        }
    }

    private static Node check(int index, NodeSettings settings, String localNode) {
        String where = "tokenfactory.nodes[" + index + "]";
        if (settings.name() == null || !NAME.matcher(settings.name()).matches()) {
            throw new InvalidNodeConfiguration(where + ": needs a name of letters, digits, '.', '_', ':' or '-' "
                    + "(at most 200), got '" + settings.name() + "'");
        }
        where += " '" + settings.name() + "'";
        if (settings.nodeClass() != null && !settings.nodeClass().isBlank()
                && !settings.nodeClass().matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
            throw new InvalidNodeConfiguration(where + ": node-class '" + settings.nodeClass()
                    + "' must be letters, digits, '.', '_' or '-' (at most 64), as billing names node classes");
        }
        MeterSettings meter = settings.energy() == null ? MeterSettings.automatic() : settings.energy();
        Source source = parse(where, meter.source());
        boolean local = settings.name().equals(localNode);
        if (source.local() && !local) {
            throw new InvalidNodeConfiguration(where + ": source " + name(source) + " reads the machine this service "
                    + "runs on, which is '" + localNode + "' (tokenfactory.inference.node); meter another node with "
                    + "dcgm or kepler, or none");
        }
        if ((source == Source.DCGM || source == Source.KEPLER) && meter.url() == null) {
            throw new InvalidNodeConfiguration(where + ": source " + name(source)
                    + " needs energy.url, the exporter's Prometheus endpoint (for example http://" + settings.name()
                    + (source == Source.DCGM ? ":9400/metrics)" : ":28282/metrics)"));
        }
        if (meter.url() != null && (meter.url().getScheme() == null || !meter.url().getScheme().startsWith("http"))) {
            throw new InvalidNodeConfiguration(where + ": energy.url '" + meter.url() + "' is not an http(s) URL");
        }
        if (meter.interval() == null || meter.interval().compareTo(SHORTEST_INTERVAL) < 0
                || meter.interval().compareTo(LONGEST_INTERVAL) > 0) {
            throw new InvalidNodeConfiguration(
                    where + ": energy.interval must be between 100ms and 1m, got " + meter.interval());
        }
        if (meter.gpus() != null && meter.gpus().stream().anyMatch(gpu -> gpu == null || gpu < 0)) {
            throw new InvalidNodeConfiguration(
                    where + ": energy.gpus lists GPU indexes (0, 1, ...), got " + meter.gpus());
        }
        if (meter.gpus() != null && new HashSet<>(meter.gpus()).size() != meter.gpus().size()) {
            throw new InvalidNodeConfiguration(where + ": energy.gpus names a GPU twice: " + meter.gpus());
        }
        if (meter.pods() != null && !meter.pods().isBlank()) {
            if (source != Source.KEPLER) {
                throw new InvalidNodeConfiguration(where + ": energy.pods applies to source kepler only");
            }
            try {
                Pattern.compile(meter.pods());
            }
            catch (PatternSyntaxException e) {
                throw new InvalidNodeConfiguration(
                        where + ": energy.pods is not a regular expression: " + e.getDescription());
            }
        }
        if (meter.idleWatts() < 0 || meter.maxWatts() < meter.idleWatts()) {
            throw new InvalidNodeConfiguration(
                    where + ": the estimate needs 0 <= energy.idle-watts <= energy.max-watts");
        }
        return new Node(settings.name(),
                settings.nodeClass() == null || settings.nodeClass().isBlank() ? null : settings.nodeClass(), source,
                meter, local, settings.site() == null || settings.site().isBlank() ? null : settings.site().trim());
    }

    private static Source parse(String where, String source) {
        try {
            return Source.valueOf((source == null ? "auto" : source.trim()).toUpperCase(Locale.ROOT));
        }
        catch (IllegalArgumentException unknown) {
            throw new InvalidNodeConfiguration(where + ": unknown energy.source '" + source
                    + "' (nvml, dcgm, kepler, rapl, estimated, none or auto)");
        }
    }

    private static String name(Source source) {
        return source.name().toLowerCase(Locale.ROOT);
    }

    /** The node this service runs on: its local engines are metered by its meter. */
    public Node local() {
        return local;
    }

    /** The node a remote model is served from, when its declaration names one. */
    public Optional<Node> forRemoteModel(String model) {
        return Optional.ofNullable(byModel.get(model));
    }

    /** A declared node by name. */
    public Optional<Node> find(String name) {
        return Optional.ofNullable(nodes.get(name));
    }

    /** Every declared node, the one this service runs on included. */
    public List<Node> all() {
        return List.copyOf(nodes.values());
    }

    /**
     * The nodes this service serves from: the local one (when it has local models) and
     * those of its remote models.
     */
    public List<Node> served(boolean hasLocalModels) {
        Set<Node> served = new java.util.LinkedHashSet<>();
        if (hasLocalModels) {
            served.add(local);
        }
        served.addAll(byDeployment.values());
        return new ArrayList<>(served);
    }

}
