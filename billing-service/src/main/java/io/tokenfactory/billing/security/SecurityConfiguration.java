package io.tokenfactory.billing.security;

import static io.tokenfactory.support.security.IdentityClaims.SCOPE_BILLING_ADMIN;
import static io.tokenfactory.support.security.IdentityClaims.SCOPE_BILLING_READ;
import static io.tokenfactory.support.security.IdentityClaims.grantedBy;

import io.tokenfactory.support.security.ServiceSecurity;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Reading needs {@code billing:read} (a department: its own record, spend, statements and
 * webhooks, checked per request; the prices); everything else {@code billing:admin},
 * which only keys of no department hold. {@code admin} holds both.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

    @Bean
    SecurityFilterChain securityFilterChain(HttpSecurity http) throws Exception {
        return ServiceSecurity.filterChain(http, requests -> requests
            // a department's own money (checked per request), the prices, an
            // agent run's joules and cost: whoever reads billing
            .requestMatchers(HttpMethod.GET, "/api/billing/departments/*", "/api/billing/departments/*/spend",
                    "/api/billing/models", "/api/billing/rate-cards", "/api/billing/energy-tariffs",
                    "/api/billing/capacity-rates", "/api/billing/nodes", "/api/billing/cost-per-token",
                    "/api/billing/agent-runs/*", "/api/billing/statements", "/api/billing/statements/*",
                    "/api/billing/statements/*/csv", "/api/billing/statements/*/pdf", "/api/billing/focus")
            .hasAnyAuthority(grantedBy(SCOPE_BILLING_READ, SCOPE_BILLING_ADMIN))
            // webhooks: a department manages its own alerts (checked per request)
            .requestMatchers("/api/billing/webhooks", "/api/billing/webhooks/**")
            .hasAnyAuthority(grantedBy(SCOPE_BILLING_READ, SCOPE_BILLING_ADMIN))
            // everything else — prices, tariffs, departments, closes, the
            // journal, the snapshot — is billing administration
            .requestMatchers("/api/billing/**")
            .hasAnyAuthority(grantedBy(SCOPE_BILLING_ADMIN)));
    }

}
