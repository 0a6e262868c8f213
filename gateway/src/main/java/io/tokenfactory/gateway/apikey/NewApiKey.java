package io.tokenfactory.gateway.apikey;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * What a new key is for; validated at the edge and again by {@link ApiKeys}.
 *
 * @param monthlyBudget the most the key may spend per billing month (billing's currency);
 * null: only its department's and agent's budgets apply
 * @param priority {@code interactive} or {@code batch}; null: batch for an agent's key,
 * else interactive
 * @param maxConcurrent how many of its requests may run at once; null: the gateway's
 * default
 * @param tags its cost tags ({@code team}, {@code project} and allowed keys); empty: none
 */
public record NewApiKey(String name, UUID departmentId, UUID agentId, Set<String> scopes, List<String> allowedModels,
        Integer rpmLimit, Long tpmLimit, Instant expiresAt, BigDecimal monthlyBudget, String priority,
        Integer maxConcurrent, Map<String, String> tags) {

    public NewApiKey {
        tags = tags == null ? Map.of() : Map.copyOf(tags);
    }

    public NewApiKey(String name, UUID departmentId, UUID agentId, Set<String> scopes, List<String> allowedModels,
            Integer rpmLimit, Long tpmLimit, Instant expiresAt, BigDecimal monthlyBudget, String priority,
            Integer maxConcurrent) {
        this(name, departmentId, agentId, scopes, allowedModels, rpmLimit, tpmLimit, expiresAt, monthlyBudget, priority,
                maxConcurrent, Map.of());
    }

    public NewApiKey(String name, UUID departmentId, UUID agentId, Set<String> scopes, List<String> allowedModels,
            Integer rpmLimit, Long tpmLimit, Instant expiresAt) {
        this(name, departmentId, agentId, scopes, allowedModels, rpmLimit, tpmLimit, expiresAt, null, null, null);
    }

}
