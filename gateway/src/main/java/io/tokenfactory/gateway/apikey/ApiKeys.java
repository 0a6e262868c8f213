package io.tokenfactory.gateway.apikey;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.tokenfactory.gateway.GatewayProperties;
import io.tokenfactory.support.audit.Actor;
import io.tokenfactory.support.audit.AuditTrail;
import io.tokenfactory.support.problem.ApiProblemException;
import io.tokenfactory.support.security.IdentityClaims;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Issues, lists, rotates, revokes and expires API keys, and authenticates secrets. A
 * secret carries a tag only the gateway can make, so forged secrets are refused without a
 * database read. Authentication goes through a cache of hash → key, so a known key costs
 * a hash and a map lookup; changes made here evict at once, changes made on another
 * gateway replica are seen within the cache's time to live.
 */
@Service
public class ApiKeys {

    private static final String SUBJECT = "api_key";

    static final Set<String> SCOPES = Set.of(IdentityClaims.SCOPE_INFERENCE, IdentityClaims.SCOPE_USAGE_READ,
            IdentityClaims.SCOPE_AGENTS_READ, IdentityClaims.SCOPE_AGENTS_WRITE, IdentityClaims.SCOPE_BILLING_READ,
            IdentityClaims.SCOPE_BILLING_ADMIN, IdentityClaims.SCOPE_KEYS_ADMIN, IdentityClaims.SCOPE_METRICS_READ,
            IdentityClaims.SCOPE_ADMIN, IdentityClaims.SCOPE_AGENT_KEYS);

    /** Scopes over every department: only on keys of no department. */
    public static final Set<String> PLATFORM_SCOPES = Set.of(IdentityClaims.SCOPE_ADMIN,
            IdentityClaims.SCOPE_BILLING_ADMIN, IdentityClaims.SCOPE_KEYS_ADMIN, IdentityClaims.SCOPE_METRICS_READ);

    private final ApiKeyRepository keys;

    private final ApiKeySecrets secrets;

    private final Clock clock;

    private final AuditTrail audit;

    private final Cache<String, Optional<ApiKeyView>> byHash;

    private final TagPolicy tagPolicy;

    ApiKeys(ApiKeyRepository keys, ApiKeySecrets secrets, Clock clock, GatewayProperties properties, AuditTrail audit,
            TagPolicy tagPolicy) {
        this.keys = keys;
        this.tagPolicy = tagPolicy;
        this.secrets = secrets;
        this.clock = clock;
        this.audit = audit;
        this.byHash = Caffeine.newBuilder()
            .expireAfterWrite(properties.apiKeys().cacheTtl())
            .maximumSize(100_000)
            .build();
    }

    /** Issues a key on the gateway's own account (agent-service's key, tests). */
    @Transactional
    public IssuedApiKey issue(NewApiKey spec) {
        return issue(spec, Actor.SYSTEM);
    }

    @Transactional
    public IssuedApiKey issue(NewApiKey spec, Actor actor) {
        validate(spec);
        spec = withTags(spec, tagPolicy.checked(spec.tags()));
        ApiKeySecrets.Secret secret = secrets.generate();
        ApiKey key = keys.save(new ApiKey(spec, secret, clock.instant()));
        audit.record(actor, "key.issued", SUBJECT, key.id(), spec.departmentId(), null, key.view());
        return new IssuedApiKey(key.view(), secret.value());
    }

    /**
     * The first start's admin key: it expires after {@code lifetime} unless used, and is
     * never issued again by itself (see {@link #hasEverHadAdminKey()}). {@code keep}
     * stores the secret (the owner-only file) inside this transaction: when it fails,
     * nothing is issued and the next start tries again.
     */
    @Transactional
    public IssuedApiKey issueBootstrapAdminKey(Duration lifetime, Actor actor, Consumer<String> keep) {
        ApiKeySecrets.Secret secret = secrets.generate();
        Instant now = clock.instant();
        ApiKey key = new ApiKey(new NewApiKey("bootstrap-admin", null, null, Set.of(IdentityClaims.SCOPE_ADMIN),
                List.of(), null, null, null), secret, now);
        key.bootstrap(now.plus(lifetime));
        keys.saveAndFlush(key);
        audit.record(actor, "key.bootstrap-issued", SUBJECT, key.id(), null, null, key.view());
        keep.accept(secret.value());
        return new IssuedApiKey(key.view(), secret.value());
    }

    /** The bootstrap key's first use: from now on it expires only when told to. */
    @Transactional
    public void firstUse(UUID id) {
        ApiKey key = find(id);
        ApiKeyView before = key.view();
        if (key.firstUse(clock.instant())) {
            evict(key.secretHash());
            audit.record(Actor.SYSTEM, "key.bootstrap-used", SUBJECT, id, null, before, keys.saveAndFlush(key).view());
        }
    }

    @Transactional(readOnly = true)
    public List<ApiKeyView> list(UUID departmentId) {
        List<ApiKey> found = departmentId == null ? keys.findAllByOrderByCreatedAtAsc()
                : keys.findByDepartmentIdOrderByCreatedAtAsc(departmentId);
        return found.stream().map(ApiKey::view).toList();
    }

    @Transactional(readOnly = true)
    public ApiKeyView get(UUID id) {
        return find(id).view();
    }

    /**
     * A new secret replaces the old one at once; the old secret stops working on this
     * replica immediately.
     */
    @Transactional
    public IssuedApiKey rotate(UUID id, Actor actor) {
        ApiKey key = find(id);
        ApiKeyView before = key.view();
        String oldHash = key.secretHash();
        ApiKeySecrets.Secret secret = secrets.generate();
        key.rotate(secret, clock.instant());
        evict(oldHash);
        ApiKeyView after = keys.saveAndFlush(key).view();
        audit.record(actor, "key.rotated", SUBJECT, id, after.departmentId(), before, after);
        return new IssuedApiKey(after, secret.value());
    }

    @Transactional
    public ApiKeyView revoke(UUID id, Actor actor) {
        ApiKey key = find(id);
        ApiKeyView before = key.view();
        key.revoke(clock.instant());
        evict(key.secretHash());
        ApiKeyView after = keys.saveAndFlush(key).view();
        audit.record(actor, "key.revoked", SUBJECT, id, after.departmentId(), before, after);
        return after;
    }

    /**
     * Revokes every key bound to this agent (it retired); returns how many were still
     * active.
     */
    @Transactional
    public int revokeAgentKeys(UUID agentId) {
        List<ApiKey> active = keys.findByAgentIdAndRevokedAtIsNull(agentId);
        for (ApiKey key : active) {
            ApiKeyView before = key.view();
            key.revoke(clock.instant());
            evict(key.secretHash());
            audit.record(Actor.SYSTEM, "key.revoked", SUBJECT, key.id(), before.departmentId(), before, key.view());
        }
        keys.saveAllAndFlush(active);
        return active.size();
    }

    /**
     * Sets when the key stops working; a time in the past (or now) expires it at once.
     */
    @Transactional
    public ApiKeyView expire(UUID id, Instant when, Actor actor) {
        ApiKey key = find(id);
        ApiKeyView before = key.view();
        key.expireAt(when == null ? clock.instant() : when);
        evict(key.secretHash());
        ApiKeyView after = keys.saveAndFlush(key).view();
        audit.record(actor, "key.expiry-set", SUBJECT, id, after.departmentId(), before, after);
        return after;
    }

    /**
     * Replaces the key's cost tags; requests made from now on carry the new ones (a
     * replica that cached the key sees them within the cache's time to live).
     */
    @Transactional
    public ApiKeyView tags(UUID id, Map<String, String> tags, Actor actor) {
        Map<String, String> checked = tagPolicy.checked(tags);
        ApiKey key = find(id);
        ApiKeyView before = key.view();
        requireDepartmentFor(checked, before.departmentId());
        key.tags(checked);
        evict(key.secretHash());
        ApiKeyView after = keys.saveAndFlush(key).view();
        audit.record(actor, "key.tags-set", SUBJECT, id, after.departmentId(), before, after);
        return after;
    }

    private static NewApiKey withTags(NewApiKey spec, Map<String, String> tags) {
        requireDepartmentFor(tags, spec.departmentId());
        return new NewApiKey(spec.name(), spec.departmentId(), spec.agentId(), spec.scopes(), spec.allowedModels(),
                spec.rpmLimit(), spec.tpmLimit(), spec.expiresAt(), spec.monthlyBudget(), spec.priority(),
                spec.maxConcurrent(), tags);
    }

    private static void requireDepartmentFor(Map<String, String> tags, UUID departmentId) {
        if (!tags.isEmpty() && departmentId == null) {
            throw ApiProblemException.unprocessable("invalid_tag",
                    "Only a department's keys carry cost tags: a platform key's requests are charged to no one");
        }
    }

    /** Sets or (null) removes the key's own monthly budget. */
    @Transactional
    public ApiKeyView budget(UUID id, BigDecimal monthlyBudget, Actor actor) {
        ApiKey key = find(id);
        ApiKeyView before = key.view();
        key.budget(monthlyBudget);
        evict(key.secretHash());
        ApiKeyView after = keys.saveAndFlush(key).view();
        audit.record(actor, "key.budget-set", SUBJECT, id, after.departmentId(), before, after);
        return after;
    }

    /**
     * The active key with this secret, if any. Unknown secrets are cached too, so floods
     * of bad keys stay cheap.
     */
    public Optional<ApiKeyView> authenticate(String secret) {
        if (!plausible(secret) || !secrets.looksGenuine(secret)) {
            return Optional.empty();
        }
        String hash = secrets.hash(secret);
        return active(byHash.get(hash, unused -> keys.findBySecretHash(hash).map(ApiKey::view)));
    }

    /**
     * The answer for this secret if it is in the cache, without touching the database;
     * empty when the database must be asked (call {@link #authenticate} off the event
     * loop then).
     */
    public Optional<Optional<ApiKeyView>> authenticateFromCache(String secret) {
        if (!plausible(secret) || !secrets.looksGenuine(secret)) {
            return Optional.of(Optional.empty());
        }
        Optional<ApiKeyView> cached = byHash.getIfPresent(secrets.hash(secret));
        return cached == null ? Optional.empty() : Optional.of(active(cached));
    }

    private Optional<ApiKeyView> active(Optional<ApiKeyView> key) {
        Instant now = clock.instant();
        return key.filter(found -> found.statusAt(now) == ApiKeyView.Status.ACTIVE);
    }

    private static boolean plausible(String secret) {
        return secret != null && secret.startsWith(ApiKeySecrets.PREFIX) && secret.length() <= 100;
    }

    @Transactional(readOnly = true)
    public boolean hasUsableAdminKey() {
        return keys.existsUsableAdminKey(clock.instant());
    }

    /** Whether an admin key was ever issued (revoked and expired ones count). */
    @Transactional(readOnly = true)
    public boolean hasEverHadAdminKey() {
        return keys.existsAnyAdminKey();
    }

    /**
     * Evicts now and again after commit: a lookup racing with this transaction could
     * otherwise cache the old, still committed row for the cache's whole lifetime.
     */
    private void evict(String hash) {
        byHash.invalidate(hash);
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    byHash.invalidate(hash);
                }
            });
        }
    }

    private ApiKey find(UUID id) {
        return keys.findById(id)
            .orElseThrow(() -> ApiProblemException.notFound("api_key_not_found", "No API key with id " + id));
    }

    private void validate(NewApiKey spec) {
        if (spec.scopes() == null || spec.scopes().isEmpty() || !SCOPES.containsAll(spec.scopes())) {
            throw ApiProblemException.unprocessable("invalid_scopes", "Scopes must be some of " + SCOPES);
        }
        boolean agentService = spec.scopes().contains(IdentityClaims.SCOPE_AGENT_KEYS);
        if (agentService && (spec.scopes().size() != 1 || spec.departmentId() != null)) {
            throw ApiProblemException.unprocessable("invalid_scopes",
                    "'agent-keys' is agent-service's own scope: alone, on a key of no department");
        }
        boolean platformKey = agentService || PLATFORM_SCOPES.containsAll(spec.scopes());
        if (spec.departmentId() == null && !platformKey) {
            throw ApiProblemException.unprocessable("department_required",
                    "A key with scopes other than " + PLATFORM_SCOPES + " must belong to a department");
        }
        if (spec.departmentId() != null && !KeyAuthority.DEPARTMENT_SCOPES.containsAll(spec.scopes())) {
            throw ApiProblemException.unprocessable("invalid_scopes", "A department's key holds only scopes among "
                    + KeyAuthority.DEPARTMENT_SCOPES + "; " + PLATFORM_SCOPES + " belong to keys of no department");
        }
        if (spec.priority() != null && !IdentityClaims.PRIORITY_INTERACTIVE.equals(spec.priority())
                && !IdentityClaims.PRIORITY_BATCH.equals(spec.priority())) {
            throw ApiProblemException.unprocessable("invalid_priority", "priority must be 'interactive' or 'batch'");
        }
        if (spec.expiresAt() != null && !spec.expiresAt().isAfter(clock.instant())) {
            throw ApiProblemException.unprocessable("invalid_expiry", "expiresAt must lie in the future");
        }
    }

}
