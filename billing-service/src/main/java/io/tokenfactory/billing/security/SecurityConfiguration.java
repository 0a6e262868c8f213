package io.tokenfactory.billing.security;

import static io.tokenfactory.support.security.IdentityClaims.SCOPE_ADMIN;
import static io.tokenfactory.support.security.IdentityClaims.authority;

import io.tokenfactory.support.security.ServiceSecurity;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;

/** Departments are managed by administrators; a department may read its own record (checked per request). */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

    @Bean
    SecurityFilterChain securityFilterChain(HttpSecurity http) throws Exception {
        return ServiceSecurity.filterChain(http, requests -> requests
                .requestMatchers(HttpMethod.GET, "/api/billing/departments/*").authenticated()
                .requestMatchers("/api/billing/departments", "/api/billing/departments/**")
                .hasAuthority(authority(SCOPE_ADMIN)));
    }
}
