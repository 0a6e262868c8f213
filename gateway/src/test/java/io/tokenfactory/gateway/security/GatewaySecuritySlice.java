package io.tokenfactory.gateway.security;

import java.time.Clock;

import io.tokenfactory.gateway.GatewayProperties;
import io.tokenfactory.gateway.identity.IdentityTokens;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;

/**
 * The gateway's own security (API keys, scopes, its refusals) for WebFlux slice tests. A
 * slice scans no {@code @Configuration}, and the auto-configuration a WebFlux slice
 * brings in Spring Boot 4 does not enable web security, so this enables it and imports
 * the real configuration, with the properties, clock and identity tokens it reads; the
 * test mocks {@code ApiKeys} to say which key a secret belongs to.
 */
@TestConfiguration(proxyBeanMethods = false)
@EnableWebFluxSecurity
@EnableConfigurationProperties(GatewayProperties.class)
@Import({ GatewaySecurityConfiguration.class, IdentityTokens.class })
public class GatewaySecuritySlice {

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

}
