package io.tokenfactory.inference.energy;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.micrometer.core.instrument.MeterRegistry;

import io.tokenfactory.contracts.EnergySource;
import io.tokenfactory.inference.InferenceProperties;
import io.tokenfactory.inference.ModelBackend;
import io.tokenfactory.inference.ModelSettings;
import io.tokenfactory.inference.NodeDeclarations;
import io.tokenfactory.inference.NodeDeclarations.Node;
import io.tokenfactory.inference.catalog.ModelCatalog;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The energy accounting of every node this replica serves from: the node it runs on (for
 * its local models) and the declared nodes of its remote models. Opens each node's meter
 * as declared and runs its ledger; stops them only after the web server has finished its
 * requests, so their energy is settled before the database goes.
 */
@Component
public class NodeEnergies implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(NodeEnergies.class);

    /** What an operator sees of a node (GET /api/inference/nodes). */
    public record NodeStatus(String node, String nodeClass, String declaredSource, EnergySource source, String device,
            boolean meterOwner, String fallback, String problem) {
    }

    private final Map<String, NodeEnergy> nodes = new LinkedHashMap<>();

    private final Map<String, String> fallbacks = new LinkedHashMap<>();

    private final List<NodeLedger> ledgers = new ArrayList<>();

    private final Map<String, Node> declared = new LinkedHashMap<>();

    private final NodeEnergy local;

    private final String replica;

    private volatile boolean running;

    NodeEnergies(NodeDeclarations declarations, ModelCatalog catalog, InferenceProperties properties,
            NodeWindowStore store, PowerWindowRecording publication, MeterRegistry meters, Clock clock,
            PowerReadings power,
            @Value("${tokenfactory.inference.nvml-library:" + EnergyMeters.NVML_LIBRARY + "}") String nvmlLibrary) {
        this.replica = replicaName();
        boolean hasLocalModels = catalog.all().stream().anyMatch(model -> model.backend() == ModelBackend.LOCAL);
        for (Node node : declarations.served(hasLocalModels)) {
            declared.put(node.name(), node);
            EnergyMeters.Opened opened = EnergyMeters.open(node, nvmlLibrary, clock);
            if (opened.meter() == null) {
                nodes.put(node.name(), new UnmeteredNode(node.name(), node.nodeClass()));
                log.info("Node {} is not metered (source none): its requests carry no energy figure", node.name());
                continue;
            }
            if (opened.fallback() != null) {
                fallbacks.put(node.name(), opened.fallback());
                log.warn("Node {}: {}. Every figure of this node says 'estimated'.", node.name(), opened.fallback());
            }
            NodeLedger ledger = new NodeLedger(node, opened.meter(), store, publication, replica,
                    new NodeLedger.Timing(node.meter().interval(), properties.energy().reportGrace(),
                            properties.energy().settleTimeout(), properties.energy().window()),
                    clock, meters);
            ledger.tellPowerTo(power);
            nodes.put(node.name(), ledger);
            ledgers.add(ledger);
            log.info("Node {} ({}) is metered by {} every {}", node.name(), opened.meter().device(), ledger.source(),
                    node.meter().interval());
        }
        Node localNode = declarations.local();
        this.local = nodes.getOrDefault(localNode.name(), new UnmeteredNode(localNode.name(), localNode.nodeClass()));
    }

    private static String replicaName() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        }
        catch (Exception unknown) {
            host = "replica";
        }
        return host + "-" + ManagementFactory.getRuntimeMXBean().getPid() + "-"
                + UUID.randomUUID().toString().substring(0, 8);
    }

    /** The node this service runs on: its local engines' work is told here. */
    public NodeEnergy local() {
        return local;
    }

    /**
     * The node a remote model is served from; a model on no declared node is unmetered,
     * named by its host.
     */
    public NodeEnergy forRemote(ModelSettings.RemoteSettings remote) {
        String node = remote.node();
        if (node != null && nodes.containsKey(node)) {
            return nodes.get(node);
        }
        return new UnmeteredNode(remote.baseUrl().getHost(), null);
    }

    /** A served node by name, when this replica serves from it. */
    public java.util.Optional<NodeEnergy> find(String node) {
        return java.util.Optional.ofNullable(nodes.get(node));
    }

    /**
     * Lowers (or, with null, restores) the power limit of a node's GPUs through NVML,
     * where this replica meters the node with NVML; empty where it does not.
     * @return per GPU, the limit set or why not
     */
    public java.util.Optional<Map<String, String>> limitGpuPower(String node, Double watts) {
        for (NodeLedger ledger : ledgers) {
            if (ledger.node().equals(node) && ledger.meter() instanceof NvmlMeter nvml) {
                return java.util.Optional.of(nvml.limitPower(watts));
            }
        }
        return java.util.Optional.empty();
    }

    public List<NodeStatus> status() {
        List<NodeStatus> status = new ArrayList<>();
        for (var entry : nodes.entrySet()) {
            Node node = declared.get(entry.getKey());
            NodeEnergy energy = entry.getValue();
            boolean owner = energy instanceof NodeLedger ledger && ledger.owner();
            String problem = energy instanceof NodeLedger ledger ? ledger.problem() : null;
            status.add(new NodeStatus(node.name(), node.nodeClass(),
                    node.source().name().toLowerCase(java.util.Locale.ROOT), energy.source(), energy.device(), owner,
                    fallbacks.get(node.name()), problem));
        }
        return status;
    }

    @Override
    public void start() {
        ledgers.forEach(NodeLedger::startTicking);
        running = true;
    }

    @Override
    public void stop() {
        ledgers.parallelStream().forEach(NodeLedger::stop);
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /**
     * After the web server's graceful shutdown (which runs in a lower phase than the
     * default).
     */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 4096;
    }

}
