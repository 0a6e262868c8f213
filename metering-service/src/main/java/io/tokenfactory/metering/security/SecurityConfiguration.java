package io.tokenfactory.metering.security;

import static io.tokenfactory.support.security.IdentityClaims.SCOPE_ADMIN;
import static io.tokenfactory.support.security.IdentityClaims.SCOPE_USAGE_READ;
import static io.tokenfactory.support.security.IdentityClaims.authority;

import io.tokenfactory.support.security.ServiceSecurity;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Usage and efficiency are read with the {@code usage:read} scope (own department) or
 * {@code admin} (all departments); energy balance, reconciliation and rebuilds need
 * {@code admin}.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

    @Bean
    SecurityFilterChain securityFilterChain(HttpSecurity http) throws Exception {
        return ServiceSecurity.filterChain(http,
                requests -> requests
                    .requestMatchers("/api/metering/admin/**", "/api/metering/energy", "/api/metering/reconciliation")
                    .hasAuthority(authority(SCOPE_ADMIN))
                    .requestMatchers(HttpMethod.POST, "/api/metering/carbon-intensities")
                    .hasAuthority(authority(SCOPE_ADMIN))
                    .requestMatchers("/api/metering/**")
                    .hasAnyAuthority(authority(SCOPE_USAGE_READ), authority(SCOPE_ADMIN)));
    }

}
