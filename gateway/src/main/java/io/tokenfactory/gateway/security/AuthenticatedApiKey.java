package io.tokenfactory.gateway.security;

import java.util.Collection;

import io.tokenfactory.gateway.apikey.ApiKeyView;
import io.tokenfactory.support.security.IdentityClaims;

import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * A request authenticated by an API key; its scopes become {@code SCOPE_*} authorities.
 */
final class AuthenticatedApiKey extends AbstractAuthenticationToken {

    private final ApiKeyView key;

    AuthenticatedApiKey(ApiKeyView key) {
        super(authorities(key));
        this.key = key;
        setAuthenticated(true);
    }

    public ApiKeyView key() {
        return key;
    }

    @Override
    public Object getCredentials() {
        return "";
    }

    @Override
    public Object getPrincipal() {
        return key;
    }

    @Override
    public String getName() {
        return key.id().toString();
    }

    private static Collection<GrantedAuthority> authorities(ApiKeyView key) {
        return key.scopes()
            .stream()
            .map(scope -> (GrantedAuthority) new SimpleGrantedAuthority(IdentityClaims.authority(scope)))
            .toList();
    }

}
