package io.tokenfactory.billing.security;

import static io.tokenfactory.support.security.IdentityClaims.SCOPE_ADMIN;
import static io.tokenfactory.support.security.IdentityClaims.authority;

import io.tokenfactory.support.security.ServiceSecurity;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Departments and prices are managed by administrators; a department reads its own record
 * and spend and manages its own webhooks (checked per request), and every caller may read
 * the prices.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

    @Bean
    SecurityFilterChain securityFilterChain(HttpSecurity http) throws Exception {
        return ServiceSecurity.filterChain(http,
                requests -> requests
                    .requestMatchers(HttpMethod.GET, "/api/billing/departments/*", "/api/billing/departments/*/spend")
                    .authenticated()
                    // prices are public to every caller; changing them is for
                    // administrators
                    .requestMatchers(HttpMethod.GET, "/api/billing/models", "/api/billing/rate-cards",
                            "/api/billing/energy-tariffs", "/api/billing/capacity-rates", "/api/billing/nodes",
                            "/api/billing/cost-per-token")
                    .authenticated()
                    // an agent run's joules and cost: its department (checked per
                    // request)
                    .requestMatchers(HttpMethod.GET, "/api/billing/agent-runs/*")
                    .authenticated()
                    // statements: a department reads its own (checked per request);
                    // changing any is a 409 for everyone
                    .requestMatchers(HttpMethod.GET, "/api/billing/statements", "/api/billing/statements/*",
                            "/api/billing/statements/*/csv", "/api/billing/statements/*/pdf")
                    .authenticated()
                    // webhooks: a department manages its own (checked per request)
                    .requestMatchers("/api/billing/webhooks", "/api/billing/webhooks/**")
                    .authenticated()
                    .requestMatchers("/api/billing/**")
                    .hasAuthority(authority(SCOPE_ADMIN)));
    }

}
