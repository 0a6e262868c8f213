package io.tokenfactory.agents.security;

import io.tokenfactory.support.security.IdentityClaims;
import io.tokenfactory.support.security.ServiceSecurity;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Reading agents needs {@code agents:read}, changing or running them
 * {@code agents:write}; a department sees only its own agents (checked per request),
 * administrators all.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

    @Bean
    SecurityFilterChain securityFilterChain(HttpSecurity http) throws Exception {
        return ServiceSecurity.filterChain(http,
                // HTTP tools are the platform's: administrators register and remove them
                requests -> requests.requestMatchers(HttpMethod.POST, "/api/agents/tools")
                    .hasAuthority(IdentityClaims.authority(IdentityClaims.SCOPE_ADMIN))
                    .requestMatchers(HttpMethod.DELETE, "/api/agents/tools/*")
                    .hasAuthority(IdentityClaims.authority(IdentityClaims.SCOPE_ADMIN))
                    .requestMatchers(HttpMethod.GET, "/api/agents", "/api/agents/**")
                    .hasAnyAuthority(IdentityClaims.grantedBy(IdentityClaims.SCOPE_AGENTS_READ))
                    .requestMatchers("/api/agents", "/api/agents/**")
                    .hasAnyAuthority(IdentityClaims.grantedBy(IdentityClaims.SCOPE_AGENTS_WRITE)));
    }

}
