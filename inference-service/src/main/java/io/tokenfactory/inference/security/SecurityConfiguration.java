package io.tokenfactory.inference.security;

import static io.tokenfactory.support.security.IdentityClaims.SCOPE_ADMIN;
import static io.tokenfactory.support.security.IdentityClaims.SCOPE_INFERENCE;
import static io.tokenfactory.support.security.IdentityClaims.authority;

import io.tokenfactory.support.security.ServiceSecurity;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Inference needs a key with the {@code inference} scope; the usage summary for
 * reconciliation needs {@code admin}.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

    @Bean
    SecurityFilterChain securityFilterChain(HttpSecurity http) throws Exception {
        return ServiceSecurity.filterChain(http,
                requests -> requests.requestMatchers("/v1/**")
                    .hasAuthority(authority(SCOPE_INFERENCE))
                    .requestMatchers("/api/inference/**")
                    .hasAuthority(authority(SCOPE_ADMIN)));
    }

}
