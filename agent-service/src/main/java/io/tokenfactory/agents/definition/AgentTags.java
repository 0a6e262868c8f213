package io.tokenfactory.agents.definition;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import io.tokenfactory.agents.clients.GatewayClient;
import io.tokenfactory.support.problem.ApiProblemException;
import io.tokenfactory.support.tags.CostTags;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * An agent's cost tags, checked against the rules the gateway keeps (team and project,
 * and the keys its administrator allows).
 */
@Component
public class AgentTags {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final GatewayClient gateway;

    AgentTags(GatewayClient gateway) {
        this.gateway = gateway;
    }

    /**
     * The tags trimmed and sorted, or a 422 naming the tag that breaks the rules; a 503
     * when the gateway cannot say which keys are allowed (only asked for keys beyond team
     * and project).
     */
    public Map<String, String> checked(@Nullable Map<String, String> tags) {
        if (tags == null || tags.isEmpty()) {
            return Map.of();
        }
        boolean onlyAlwaysAllowed = CostTags.ALWAYS_ALLOWED.containsAll(tags.keySet());
        return CostTags.checked(tags, onlyAlwaysAllowed ? Set.of() : allowedKeys());
    }

    private Set<String> allowedKeys() {
        GatewayClient.Answer answer;
        try {
            answer = gateway.getWithServiceKey("/api/tags");
        }
        catch (GatewayClient.Unreachable e) {
            throw unavailable(e.getMessage());
        }
        if (answer.status() != 200) {
            throw unavailable("the gateway answered " + answer.status());
        }
        Set<String> allowed = new HashSet<>();
        JsonNode keys = JSON.readTree(answer.body()).path("allowedKeys");
        keys.forEach(key -> allowed.add(key.asString()));
        return allowed;
    }

    private static ApiProblemException unavailable(String why) {
        return new ApiProblemException(HttpStatus.SERVICE_UNAVAILABLE, "tag_rules_unavailable", "Tag rules unavailable",
                "The gateway could not say which tag keys are allowed (" + why
                        + "); team and project need no asking, other keys do: try again shortly");
    }

}
