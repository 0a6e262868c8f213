package io.tokenfactory.gateway.apikey;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import io.tokenfactory.support.security.IdentityClaims;
import io.tokenfactory.support.tags.CostTags;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

/** A department's API key. Holds the hash of its secret, never the secret. */
@Entity
@Table(name = "api_key")
class ApiKey {

    @Id
    private UUID id;

    @Column(nullable = false)
    private String name;

    @Column(name = "secret_hash", nullable = false)
    private String secretHash;

    @Column(name = "secret_hint", nullable = false)
    private String secretHint;

    @Column(name = "department_id")
    private UUID departmentId;

    @Column(name = "agent_id")
    private UUID agentId;

    @Column(nullable = false)
    private String scopes;

    @Column(name = "allowed_models")
    private String allowedModels;

    @Column(name = "rpm_limit")
    private Integer rpmLimit;

    @Column(name = "tpm_limit")
    private Long tpmLimit;

    @Column(name = "expires_at")
    private Instant expiresAt;

    @Column(name = "revoked_at")
    private Instant revokedAt;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    @Column(name = "rotated_at")
    private Instant rotatedAt;

    @Column(name = "monthly_budget")
    private BigDecimal monthlyBudget;

    @Column(nullable = false)
    private String priority;

    @Column(name = "max_concurrent")
    private Integer maxConcurrent;

    /** Its cost tags as a JSON object of strings. */
    @Column(nullable = false)
    private String tags = "{}";

    /** The first start's admin key, not used yet: it expires unless used. */
    @Column(name = "unused_bootstrap", nullable = false)
    private boolean unusedBootstrap;

    @Version
    private long version;

    protected ApiKey() {
    }

    ApiKey(NewApiKey spec, ApiKeySecrets.Secret secret, Instant now) {
        this.id = UUID.randomUUID();
        this.name = spec.name();
        this.departmentId = spec.departmentId();
        this.agentId = spec.agentId();
        this.scopes = String.join(" ", new TreeSet<>(spec.scopes()));
        this.allowedModels = spec.allowedModels() == null || spec.allowedModels().isEmpty() ? null
                : String.join(" ", spec.allowedModels());
        this.rpmLimit = spec.rpmLimit();
        this.tpmLimit = spec.tpmLimit();
        this.expiresAt = spec.expiresAt();
        this.monthlyBudget = spec.monthlyBudget();
        this.priority = spec.priority() != null ? spec.priority()
                : spec.agentId() == null ? IdentityClaims.PRIORITY_INTERACTIVE : IdentityClaims.PRIORITY_BATCH;
        this.maxConcurrent = spec.maxConcurrent();
        this.tags = json(spec.tags());
        this.createdAt = now;
        useSecret(secret);
    }

    void rotate(ApiKeySecrets.Secret secret, Instant now) {
        useSecret(secret);
        this.rotatedAt = now;
    }

    void revoke(Instant now) {
        if (revokedAt == null) {
            revokedAt = now;
        }
    }

    void expireAt(Instant when) {
        this.expiresAt = when;
        // an expiry set on purpose stays, whatever the key's first use
        this.unusedBootstrap = false;
    }

    /**
     * Marks this the first start's admin key, which expires at {@code when} unless used.
     */
    void bootstrap(Instant when) {
        this.unusedBootstrap = true;
        this.expiresAt = when;
    }

    /**
     * The bootstrap key was used while still valid: it no longer expires by itself. A
     * revoked or expired key stays as it is (another replica's cache may still have let
     * it in for a moment).
     */
    boolean firstUse(Instant now) {
        if (!unusedBootstrap || revokedAt != null || (expiresAt != null && !expiresAt.isAfter(now))) {
            return false;
        }
        unusedBootstrap = false;
        expiresAt = null;
        return true;
    }

    void tags(Map<String, String> newTags) {
        this.tags = json(newTags);
    }

    void budget(BigDecimal monthlyBudget) {
        this.monthlyBudget = monthlyBudget;
    }

    private void useSecret(ApiKeySecrets.Secret secret) {
        this.secretHash = secret.hash();
        this.secretHint = secret.hint();
    }

    ApiKeyView view() {
        return new ApiKeyView(id, name, secretHint, departmentId, agentId, split(scopes),
                allowedModels == null ? List.of() : List.copyOf(split(allowedModels)), rpmLimit, tpmLimit, expiresAt,
                revokedAt, createdAt, rotatedAt, monthlyBudget, priority, maxConcurrent, unusedBootstrap, null,
                CostTags.fromJson(tags));
    }

    UUID id() {
        return id;
    }

    String secretHash() {
        return secretHash;
    }

    /** The column holds an empty object for no tags. */
    private static String json(Map<String, String> tags) {
        String json = CostTags.json(tags);
        return json == null ? "{}" : json;
    }

    private static Set<String> split(String words) {
        return new LinkedHashSet<>(Arrays.asList(words.trim().split("\\s+")));
    }

}
