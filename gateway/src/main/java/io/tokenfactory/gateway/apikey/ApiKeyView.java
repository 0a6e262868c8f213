package io.tokenfactory.gateway.apikey;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** A key as the rest of the gateway sees it, without any secret. */
public record ApiKeyView(UUID id, String name, String secretHint, UUID departmentId, UUID agentId, Set<String> scopes,
        List<String> allowedModels, Integer rpmLimit, Long tpmLimit, Instant expiresAt, Instant revokedAt,
        Instant createdAt, Instant rotatedAt) {

    /** The exchange attribute under which an authenticated request carries its key. */
    public static final String EXCHANGE_ATTRIBUTE = "tokenfactory.apiKey";

    public enum Status {

        ACTIVE, REVOKED, EXPIRED

    }

    public Status statusAt(Instant now) {
        if (revokedAt != null) {
            return Status.REVOKED;
        }
        if (expiresAt != null && !expiresAt.isAfter(now)) {
            return Status.EXPIRED;
        }
        return Status.ACTIVE;
    }

    public boolean allowsModel(String model) {
        return allowedModels.isEmpty() || (model != null && allowedModels.contains(model));
    }
}
