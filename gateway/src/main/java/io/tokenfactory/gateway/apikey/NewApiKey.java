package io.tokenfactory.gateway.apikey;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** What a new key is for; validated at the edge and again by {@link ApiKeys}. */
public record NewApiKey(String name, UUID departmentId, UUID agentId, Set<String> scopes, List<String> allowedModels,
        Integer rpmLimit, Long tpmLimit, Instant expiresAt) {
}
