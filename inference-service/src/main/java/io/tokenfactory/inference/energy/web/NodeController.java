package io.tokenfactory.inference.energy.web;

import java.util.List;

import io.tokenfactory.inference.energy.NodeEnergies;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The nodes this replica serves from and how each is metered now (administrators): the
 * declared source, the one in use (a fallback says why), whether this replica reads the
 * node's meter, and the meter's last problem.
 */
@RestController
class NodeController {

    private final NodeEnergies nodes;

    NodeController(NodeEnergies nodes) {
        this.nodes = nodes;
    }

    @GetMapping("/api/inference/nodes")
    List<NodeEnergies.NodeStatus> nodes() {
        return nodes.status();
    }

}
