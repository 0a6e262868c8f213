package io.tokenfactory.gateway.apikey;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import io.tokenfactory.support.security.IdentityClaims;

/**
 * A key as the rest of the gateway sees it, without any secret.
 *
 * @param monthlyBudget the key's own budget per billing month; null: none
 * @param priority its priority class at inference ({@code interactive} or {@code batch})
 * @param maxConcurrent its own limit of requests at once; null: the gateway's default
 * @param unusedBootstrap the first start's admin key, not used yet: it expires unless
 * used
 */
public record ApiKeyView(UUID id, String name, String secretHint, UUID departmentId, UUID agentId, Set<String> scopes,
        List<String> allowedModels, Integer rpmLimit, Long tpmLimit, Instant expiresAt, Instant revokedAt,
        Instant createdAt, Instant rotatedAt, BigDecimal monthlyBudget, String priority, Integer maxConcurrent,
        boolean unusedBootstrap) {

    public ApiKeyView(UUID id, String name, String secretHint, UUID departmentId, UUID agentId, Set<String> scopes,
            List<String> allowedModels, Integer rpmLimit, Long tpmLimit, Instant expiresAt, Instant revokedAt,
            Instant createdAt, Instant rotatedAt, BigDecimal monthlyBudget, String priority, Integer maxConcurrent) {
        this(id, name, secretHint, departmentId, agentId, scopes, allowedModels, rpmLimit, tpmLimit, expiresAt,
                revokedAt, createdAt, rotatedAt, monthlyBudget, priority, maxConcurrent, false);
    }

    public ApiKeyView(UUID id, String name, String secretHint, UUID departmentId, UUID agentId, Set<String> scopes,
            List<String> allowedModels, Integer rpmLimit, Long tpmLimit, Instant expiresAt, Instant revokedAt,
            Instant createdAt, Instant rotatedAt) {
        this(id, name, secretHint, departmentId, agentId, scopes, allowedModels, rpmLimit, tpmLimit, expiresAt,
                revokedAt, createdAt, rotatedAt, null,
                agentId == null ? IdentityClaims.PRIORITY_INTERACTIVE : IdentityClaims.PRIORITY_BATCH, null);
    }

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
