package io.tokenfactory.gateway.apikey;

import java.util.Set;
import java.util.UUID;

import io.tokenfactory.support.audit.Actor;
import io.tokenfactory.support.problem.ApiProblemException;
import io.tokenfactory.support.security.IdentityClaims;

import org.springframework.stereotype.Service;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Issues and revokes keys within the caller's {@link KeyAuthority}: a key administrator
 * only department keys; agent-service only inference keys bound to an agent it owns, in
 * that agent's department (asked of agent-service, not taken from the request). A new
 * key's department is confirmed by billing-service first (no key for a department nobody
 * checked); the database work runs off the event loop (JPA is blocking).
 */
@Service
public class KeyIssuing {

    private final ApiKeys keys;

    private final BillingDepartmentsClient departments;

    private final AgentsClient agents;

    KeyIssuing(ApiKeys keys, BillingDepartmentsClient departments, AgentsClient agents) {
        this.keys = keys;
        this.departments = departments;
        this.agents = agents;
    }

    public Mono<IssuedApiKey> issue(NewApiKey spec, KeyAuthority caller, Actor actor) {
        Mono<Void> allowed = switch (caller) {
            case ADMIN -> Mono.empty();
            // a key bound to an agent must be bound to an agent of its department, or it
            // would spend another department's agent budget
            case KEYS_ADMIN -> !isDepartmentKey(spec)
                    ? Mono.error(ApiProblemException
                        .forbidden("A 'keys:admin' key issues only department keys, with scopes among "
                                + KeyAuthority.DEPARTMENT_SCOPES))
                    : spec.agentId() == null ? Mono.<Void>empty()
                            : agents.requireOwned(spec.agentId(), spec.departmentId(), true);
            case AGENT_SERVICE ->
                isAgentInferenceKey(spec) ? agents.requireOwned(spec.agentId(), spec.departmentId(), true)
                        : Mono.error(ApiProblemException.forbidden(
                                "An 'agent-keys' key issues only inference keys bound to a department and an agent"));
        };
        return allowed.then(departments.requireExists(spec.departmentId()))
            .then(Mono.fromCallable(() -> keys.issue(spec, actor)).subscribeOn(Schedulers.boundedElastic()));
    }

    public Mono<ApiKeyView> revoke(UUID id, KeyAuthority caller, Actor actor) {
        return Mono.fromCallable(() -> keys.get(id))
            .subscribeOn(Schedulers.boundedElastic())
            .flatMap(key -> mayManage(key, caller))
            .then(Mono.fromCallable(() -> keys.revoke(id, actor)).subscribeOn(Schedulers.boundedElastic()));
    }

    /**
     * Rotating, expiring and limiting: a key administrator only department keys (rotating
     * an administrator's key would hand it the new secret); agent-service none.
     */
    /**
     * Who may set a key's tags: whoever manages it, and agent-service for its agents'
     * keys (an agent's tags are its key's).
     */
    public static void requireTags(ApiKeyView key, KeyAuthority caller) {
        if (caller == KeyAuthority.AGENT_SERVICE && key.agentId() != null && key.departmentId() != null) {
            return;
        }
        requireManages(key, caller);
    }

    public static void requireManages(ApiKeyView key, KeyAuthority caller) {
        if (caller == KeyAuthority.AGENT_SERVICE || (caller == KeyAuthority.KEYS_ADMIN && !isDepartmentKey(key))) {
            throw ApiProblemException.forbidden("This key may not change key " + key.id());
        }
    }

    /**
     * A key a key administrator may manage: of a department, holding department scopes
     * only (a department key that still holds {@code admin} from before fine scopes is an
     * administrator's to manage).
     */
    private static boolean isDepartmentKey(ApiKeyView key) {
        return key.departmentId() != null && KeyAuthority.DEPARTMENT_SCOPES.containsAll(key.scopes());
    }

    private Mono<Void> mayManage(ApiKeyView key, KeyAuthority caller) {
        return switch (caller) {
            case ADMIN -> Mono.empty();
            case KEYS_ADMIN -> isDepartmentKey(key) ? Mono.empty()
                    : Mono.error(ApiProblemException.forbidden("A 'keys:admin' key revokes only department keys"));
            case AGENT_SERVICE ->
                key.agentId() != null ? agents.requireOwned(key.agentId(), key.departmentId(), false) : Mono
                    .error(ApiProblemException.forbidden("An 'agent-keys' key revokes only keys bound to an agent"));
        };
    }

    private static boolean isDepartmentKey(NewApiKey spec) {
        return spec.departmentId() != null && KeyAuthority.DEPARTMENT_SCOPES.containsAll(spec.scopes());
    }

    private static boolean isAgentInferenceKey(NewApiKey spec) {
        return spec.agentId() != null && spec.departmentId() != null
                && spec.scopes().equals(Set.of(IdentityClaims.SCOPE_INFERENCE));
    }

}
