package io.tokenfactory.inference;

import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The factory's accelerator nodes, {@code tokenfactory.nodes}: a prefix of its own
 * because the nodes belong to the factory, not to one service. Environment variables
 * replace the whole list ({@code TOKENFACTORY_NODES_0_NAME}, …).
 */
@ConfigurationProperties("tokenfactory")
public record NodesProperties(@DefaultValue List<NodeSettings> nodes) {
}
