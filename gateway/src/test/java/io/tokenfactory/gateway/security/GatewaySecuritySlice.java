package io.tokenfactory.gateway.security;

import java.time.Clock;

import io.tokenfactory.gateway.GatewayProperties;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;

/**
 * The gateway's own security (API keys, scopes, its refusals) for WebFlux slice tests. A
 * slice scans no {@code @Configuration}, and the auto-configuration a WebFlux slice
 * brings in Spring Boot 4 does not enable web security, so this enables it and imports
 * the real configuration, with the properties and clock it reads; the test mocks
 * {@code ApiKeys} to say which key a secret belongs to.
 */
@TestConfiguration(proxyBeanMethods = false)
@EnableWebFluxSecurity
@EnableConfigurationProperties(GatewayProperties.class)
@Import(GatewaySecurityConfiguration.class)
public class GatewaySecuritySlice {

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

}
