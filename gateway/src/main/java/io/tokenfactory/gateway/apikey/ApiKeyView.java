package io.tokenfactory.gateway.apikey;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import io.tokenfactory.support.audit.Actor;
import io.tokenfactory.support.security.IdentityClaims;

import org.jspecify.annotations.Nullable;

/**
 * A key as the rest of the gateway sees it, without any secret.
 *
 * @param monthlyBudget the key's own budget per billing month; null: none
 * @param priority its priority class at inference ({@code interactive} or {@code batch})
 * @param maxConcurrent its own limit of requests at once; null: the gateway's default
 * @param unusedBootstrap the first start's admin key, not used yet: it expires unless
 * used
 * @param person not a key but a person signed in through the identity provider: their
 * name (the id is derived from the provider's subject)
 * @param tags the key's cost tags; empty: none
 */
public record ApiKeyView(UUID id, String name, String secretHint, UUID departmentId, UUID agentId, Set<String> scopes,
        List<String> allowedModels, Integer rpmLimit, Long tpmLimit, Instant expiresAt, Instant revokedAt,
        Instant createdAt, Instant rotatedAt, BigDecimal monthlyBudget, String priority, Integer maxConcurrent,
        boolean unusedBootstrap, @Nullable String person, Map<String, String> tags) {

    public ApiKeyView {
        tags = tags == null ? Map.of() : Map.copyOf(tags);
    }

    public ApiKeyView(UUID id, String name, String secretHint, UUID departmentId, UUID agentId, Set<String> scopes,
            List<String> allowedModels, Integer rpmLimit, Long tpmLimit, Instant expiresAt, Instant revokedAt,
            Instant createdAt, Instant rotatedAt, BigDecimal monthlyBudget, String priority, Integer maxConcurrent,
            boolean unusedBootstrap, @Nullable String person) {
        this(id, name, secretHint, departmentId, agentId, scopes, allowedModels, rpmLimit, tpmLimit, expiresAt,
                revokedAt, createdAt, rotatedAt, monthlyBudget, priority, maxConcurrent, unusedBootstrap, person,
                Map.of());
    }

    public ApiKeyView(UUID id, String name, String secretHint, UUID departmentId, UUID agentId, Set<String> scopes,
            List<String> allowedModels, Integer rpmLimit, Long tpmLimit, Instant expiresAt, Instant revokedAt,
            Instant createdAt, Instant rotatedAt, BigDecimal monthlyBudget, String priority, Integer maxConcurrent,
            boolean unusedBootstrap) {
        this(id, name, secretHint, departmentId, agentId, scopes, allowedModels, rpmLimit, tpmLimit, expiresAt,
                revokedAt, createdAt, rotatedAt, monthlyBudget, priority, maxConcurrent, unusedBootstrap, null);
    }

    /**
     * A person the identity provider vouched for, as the gateway treats a caller: their
     * scopes and department from their groups, interactive, no limits of a key's own.
     * @param id stable per person (derived from the provider's issuer and subject)
     * @param expiresAt when the provider's token expires
     */
    public static ApiKeyView person(UUID id, String name, @Nullable UUID departmentId, Set<String> scopes,
            Instant issuedAt, Instant expiresAt) {
        return new ApiKeyView(id, name, "single sign-on", departmentId, null, scopes, List.of(), null, null, expiresAt,
                null, issuedAt, null, null, IdentityClaims.PRIORITY_INTERACTIVE, null, false, name);
    }

    /** Who this caller is in an audit trail: the person, or the key. */
    public Actor actor(@Nullable String address) {
        return person != null ? Actor.user(person, departmentId, address) : Actor.apiKey(id, departmentId, address);
    }

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
