package io.tokenfactory.gateway.apikey;

import java.util.Collection;
import java.util.Set;

import io.tokenfactory.support.security.IdentityClaims;

import org.springframework.security.core.GrantedAuthority;

/**
 * What a caller of the key API may do with keys: an administrator anything; a key
 * administrator ({@code keys:admin}) only department keys, never a platform key (that
 * would hand it scopes it does not hold); agent-service ({@code agent-keys}) only
 * inference keys of the agents it owns.
 */
public enum KeyAuthority {

    ADMIN, KEYS_ADMIN, AGENT_SERVICE;

    /** The scopes a department's key may hold; the rest are platform scopes. */
    public static final Set<String> DEPARTMENT_SCOPES = Set.of(IdentityClaims.SCOPE_INFERENCE,
            IdentityClaims.SCOPE_USAGE_READ, IdentityClaims.SCOPE_AGENTS_READ, IdentityClaims.SCOPE_AGENTS_WRITE,
            IdentityClaims.SCOPE_BILLING_READ);

    /** The most the caller's authorities allow (the route only lets these three in). */
    public static KeyAuthority of(Collection<? extends GrantedAuthority> authorities) {
        Set<String> held = authorities.stream()
            .map(GrantedAuthority::getAuthority)
            .collect(java.util.stream.Collectors.toSet());
        if (held.contains(IdentityClaims.authority(IdentityClaims.SCOPE_ADMIN))) {
            return ADMIN;
        }
        return held.contains(IdentityClaims.authority(IdentityClaims.SCOPE_KEYS_ADMIN)) ? KEYS_ADMIN : AGENT_SERVICE;
    }

}
