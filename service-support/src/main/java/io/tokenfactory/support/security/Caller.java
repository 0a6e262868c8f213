package io.tokenfactory.support.security;

import java.util.Map;
import java.util.Set;
import java.util.UUID;

import io.tokenfactory.support.problem.ApiProblemException;

import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

/**
 * Who is calling, as the gateway vouched for it.
 *
 * @param departmentId null only for platform administrators' keys
 * @param agentId null when the key is not bound to an agent
 * @param priority the key's priority class ({@link IdentityClaims#PRIORITY}); null when
 * the token names none (interactive)
 * @param person the person signed in through the identity provider
 * ({@link IdentityClaims#PERSON}); null for a key
 * @param tags the key's cost tags ({@link IdentityClaims#TAGS}); empty when it has none
 */
public record Caller(UUID keyId, UUID departmentId, UUID agentId, Set<String> scopes, String priority, String person,
        Map<String, String> tags) {

    public Caller {
        tags = tags == null ? Map.of() : Map.copyOf(tags);
    }

    public Caller(UUID keyId, UUID departmentId, UUID agentId, Set<String> scopes, String priority, String person) {
        this(keyId, departmentId, agentId, scopes, priority, person, Map.of());
    }

    public Caller(UUID keyId, UUID departmentId, UUID agentId, Set<String> scopes, String priority) {
        this(keyId, departmentId, agentId, scopes, priority, null);
    }

    /** A caller whose token names no priority class. */
    public Caller(UUID keyId, UUID departmentId, UUID agentId, Set<String> scopes) {
        this(keyId, departmentId, agentId, scopes, null);
    }

    public boolean isAdmin() {
        return scopes.contains(IdentityClaims.SCOPE_ADMIN);
    }

    /** Whether the caller holds this scope, or {@code admin}, which holds them all. */
    public boolean holds(String scope) {
        return isAdmin() || scopes.contains(scope);
    }

    /**
     * Platform keys (no department: administrators and billing administrators) see every
     * department, where their scopes let them in at all.
     */
    boolean seesEveryDepartment() {
        return isAdmin() || (departmentId == null && scopes.contains(IdentityClaims.SCOPE_BILLING_ADMIN));
    }

    /** A department reads only its own data; a platform key reads everyone's. */
    public boolean mayRead(UUID department) {
        return seesEveryDepartment() || (departmentId != null && departmentId.equals(department));
    }

    /**
     * The department a read is limited to: an administrator's choice ({@code asked}, null
     * for all), or the caller's own department for everyone else; asking for another
     * department is refused (403).
     */
    public UUID scopeTo(UUID asked) {
        if (seesEveryDepartment()) {
            return asked;
        }
        if (departmentId == null || (asked != null && !asked.equals(departmentId))) {
            throw ApiProblemException.forbidden("An API key of one department reads only that department's data");
        }
        return departmentId;
    }

    /** The caller of the current request, if it came with a verified identity token. */
    public static java.util.Optional<Caller> find() {
        return SecurityContextHolder.getContext().getAuthentication() instanceof JwtAuthenticationToken token
                ? java.util.Optional.of(of(token.getToken())) : java.util.Optional.empty();
    }

    /** The caller of the current request, from its verified identity token. */
    public static Caller current() {
        if (!(SecurityContextHolder.getContext().getAuthentication() instanceof JwtAuthenticationToken token)) {
            throw new IllegalStateException("No verified identity token on this request");
        }
        return of(token.getToken());
    }

    public static Caller of(Jwt jwt) {
        String scope = jwt.getClaimAsString(IdentityClaims.SCOPE);
        return new Caller(uuid(jwt, IdentityClaims.KEY_ID), uuid(jwt, IdentityClaims.DEPARTMENT_ID),
                uuid(jwt, IdentityClaims.AGENT_ID),
                scope == null || scope.isBlank() ? Set.of() : Set.of(scope.trim().split("\\s+")),
                jwt.getClaimAsString(IdentityClaims.PRIORITY), jwt.getClaimAsString(IdentityClaims.PERSON), tags(jwt));
    }

    /** The tags claim: a JSON object of strings; anything else in it is ignored. */
    private static Map<String, String> tags(Jwt jwt) {
        if (!(jwt.getClaims().get(IdentityClaims.TAGS) instanceof Map<?, ?> claim)) {
            return Map.of();
        }
        Map<String, String> tags = new java.util.TreeMap<>();
        claim.forEach((key, value) -> {
            if (key instanceof String name && value instanceof String text) {
                tags.put(name, text);
            }
        });
        return tags;
    }

    private static UUID uuid(Jwt jwt, String claim) {
        String value = jwt.getClaimAsString(claim);
        return value == null || value.isBlank() ? null : UUID.fromString(value);
    }
}
