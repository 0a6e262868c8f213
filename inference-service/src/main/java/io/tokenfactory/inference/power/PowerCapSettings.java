package io.tokenfactory.inference.power;

import java.util.List;

import io.tokenfactory.inference.InferenceProperties;
import io.tokenfactory.inference.NodeDeclarations;
import io.tokenfactory.inference.energy.NodeEnergies;
import io.tokenfactory.support.audit.AuditTrail;
import io.tokenfactory.support.problem.ApiProblemException;
import io.tokenfactory.support.security.Caller;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Sets and removes power caps: checked (a declared site or node, a sane wattage) before
 * anything is written; the waiting requests look again at once.
 */
@Service
public class PowerCapSettings {

    private static final Logger log = LoggerFactory.getLogger(PowerCapSettings.class);

    /** More than any one factory draws: a typing error, not a budget. */
    static final double MOST_WATTS = 1e9;

    private final PowerCaps caps;

    private final PowerGovernor governor;

    private final NodeDeclarations declarations;

    private final NodeEnergies energies;

    private final boolean nvmlPowerLimit;

    private final AuditTrail audit;

    PowerCapSettings(PowerCaps caps, PowerGovernor governor, NodeDeclarations declarations, NodeEnergies energies,
            InferenceProperties properties, AuditTrail audit) {
        this.audit = audit;
        this.caps = caps;
        this.governor = governor;
        this.declarations = declarations;
        this.energies = energies;
        this.nvmlPowerLimit = properties.power().nvmlPowerLimit();
    }

    @Transactional
    public PowerCap set(String scopeTag, @Nullable String name, @Nullable Double watts) {
        PowerScope scope = scope(scopeTag);
        String target = target(scope, name);
        if (watts == null || !Double.isFinite(watts) || watts <= 0 || watts > MOST_WATTS) {
            throw ApiProblemException.unprocessable("invalid_power_cap",
                    "watts must be a number above 0 and at most 1,000,000,000");
        }
        Caller caller = Caller.current();
        String by = caller.person() != null ? caller.person()
                : caller.keyId() == null ? null : caller.keyId().toString();
        PowerCap before = caps.find(scope, target).orElse(null);
        PowerCap cap = caps.set(scope, target, watts, by);
        audit.record("power-cap.set", "power-cap", scope.tag() + "/" + target, null, before, cap);
        governor.changed();
        if (scope == PowerScope.NODE) {
            limitGpus(target, watts);
        }
        return cap;
    }

    /**
     * Where the operator allows it, a node metered here through NVML also gets its GPUs'
     * power limit lowered to the cap (or restored when the cap goes).
     */
    private void limitGpus(String node, @Nullable Double watts) {
        if (!nvmlPowerLimit) {
            return;
        }
        energies.limitGpuPower(node, watts)
            .ifPresent(result -> log.info("Node {}: GPU power limits {} for its power cap: {}", node,
                    watts == null ? "restored" : "lowered", result));
    }

    @Transactional
    public void remove(String scopeTag, @Nullable String name) {
        PowerScope scope = scope(scopeTag);
        // a cap on a node or site no longer declared can still go
        String target = scope == PowerScope.FACTORY ? target(scope, name) : name == null ? "" : name;
        PowerCap before = caps.find(scope, target).orElse(null);
        if (before == null || !caps.remove(scope, target)) {
            throw ApiProblemException.notFound("power_cap_not_found", "There is no power cap on "
                    + (scope == PowerScope.FACTORY ? "the factory" : scope.tag() + " " + target) + ".");
        }
    }

    public List<PowerGovernor.CapState> states() {
        return governor.states();
    }

    private static PowerScope scope(String tag) {
        return PowerScope.of(tag)
            .orElseThrow(() -> ApiProblemException.notFound("unknown_power_scope",
                    "A power cap covers the factory, a site or a node: '" + tag + "' is none of them."));
    }

    private String target(PowerScope scope, @Nullable String name) {
        switch (scope) {
            case FACTORY -> {
                if (name != null) {
                    throw ApiProblemException.notFound("unknown_power_scope",
                            "The factory's cap has no name: use /api/inference/power-caps/factory.");
                }
                return "factory";
            }
            case SITE -> {
                if (name == null || declarations.all().stream().noneMatch(node -> name.equals(node.site()))) {
                    throw ApiProblemException.unprocessable("unknown_site", "No declared node is in site '" + name
                            + "' (tokenfactory.nodes[].site); sites: " + String.join(", ", sites()) + ".");
                }
                return name;
            }
            default -> {
                if (name == null || declarations.find(name).isEmpty()) {
                    throw ApiProblemException.unprocessable("unknown_node",
                            "'" + name + "' is not a declared node (tokenfactory.nodes); nodes: "
                                    + String.join(", ",
                                            declarations.all().stream().map(NodeDeclarations.Node::name).toList())
                                    + ".");
                }
                return name;
            }
        }
    }

    private List<String> sites() {
        return declarations.all().stream().map(NodeDeclarations.Node::site).filter(s -> s != null).distinct().toList();
    }

}
