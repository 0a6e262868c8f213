package io.tokenfactory.gateway.apikey;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.tokenfactory.gateway.GatewayProperties;
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

    static final Set<String> SCOPES = Set.of(IdentityClaims.SCOPE_INFERENCE, IdentityClaims.SCOPE_USAGE_READ,
            IdentityClaims.SCOPE_ADMIN, IdentityClaims.SCOPE_AGENT_KEYS);

    private final ApiKeyRepository keys;

    private final ApiKeySecrets secrets;

    private final Clock clock;

    private final Cache<String, Optional<ApiKeyView>> byHash;

    ApiKeys(ApiKeyRepository keys, ApiKeySecrets secrets, Clock clock, GatewayProperties properties) {
        this.keys = keys;
        this.secrets = secrets;
        this.clock = clock;
        this.byHash = Caffeine.newBuilder()
            .expireAfterWrite(properties.apiKeys().cacheTtl())
            .maximumSize(100_000)
            .build();
    }

    @Transactional
    public IssuedApiKey issue(NewApiKey spec) {
        validate(spec);
        ApiKeySecrets.Secret secret = secrets.generate();
        ApiKey key = keys.save(new ApiKey(spec, secret, clock.instant()));
        return new IssuedApiKey(key.view(), secret.value());
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
    public IssuedApiKey rotate(UUID id) {
        ApiKey key = find(id);
        String oldHash = key.secretHash();
        ApiKeySecrets.Secret secret = secrets.generate();
        key.rotate(secret, clock.instant());
        evict(oldHash);
        return new IssuedApiKey(keys.saveAndFlush(key).view(), secret.value());
    }

    @Transactional
    public ApiKeyView revoke(UUID id) {
        ApiKey key = find(id);
        key.revoke(clock.instant());
        evict(key.secretHash());
        return keys.saveAndFlush(key).view();
    }

    /**
     * Revokes every key bound to this agent (it retired); returns how many were still
     * active.
     */
    @Transactional
    public int revokeAgentKeys(UUID agentId) {
        List<ApiKey> active = keys.findByAgentIdAndRevokedAtIsNull(agentId);
        for (ApiKey key : active) {
            key.revoke(clock.instant());
            evict(key.secretHash());
        }
        keys.saveAllAndFlush(active);
        return active.size();
    }

    /**
     * Sets when the key stops working; a time in the past (or now) expires it at once.
     */
    @Transactional
    public ApiKeyView expire(UUID id, Instant when) {
        ApiKey key = find(id);
        key.expireAt(when == null ? clock.instant() : when);
        evict(key.secretHash());
        return keys.saveAndFlush(key).view();
    }

    /** Sets or (null) removes the key's own monthly budget. */
    @Transactional
    public ApiKeyView budget(UUID id, BigDecimal monthlyBudget) {
        ApiKey key = find(id);
        key.budget(monthlyBudget);
        evict(key.secretHash());
        return keys.saveAndFlush(key).view();
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
    public boolean hasAdminKey() {
        return keys.existsUsableAdminKey(clock.instant());
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
        boolean platformKey = spec.scopes().equals(Set.of(IdentityClaims.SCOPE_ADMIN))
                || spec.scopes().equals(Set.of(IdentityClaims.SCOPE_AGENT_KEYS));
        if (spec.scopes().contains(IdentityClaims.SCOPE_AGENT_KEYS) && (!platformKey || spec.departmentId() != null)) {
            throw ApiProblemException.unprocessable("invalid_scopes",
                    "'agent-keys' is agent-service's own scope: alone, on a key of no department");
        }
        if (spec.departmentId() == null && !platformKey) {
            throw ApiProblemException.unprocessable("department_required",
                    "A key with scopes other than 'admin' must belong to a department");
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
