package io.tokenfactory.inference.security;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

import io.tokenfactory.inference.InferenceProperties;
import io.tokenfactory.support.security.IdentityClaims;
import io.tokenfactory.support.tracing.TracingConfiguration;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;

/**
 * What a Web MVC slice test of inference-service imports. A slice scans no
 * {@code @Configuration}, and the auto-configuration a Web MVC slice brings in Spring
 * Boot 4 does not enable web security, so this enables it with the service's own security
 * rules, and adds the properties its request size filter and MVC configuration (which
 * every slice picks up) read, its clock, and its (no-op) traces. Instead of the gateway's
 * signed identity tokens, a bearer token here is the caller's scopes joined by '+'
 * ({@code admin}, {@code inference+admin}); a token without {@code admin} belongs to
 * {@link #DEPARTMENT}, and one with the word {@code agent} ({@code inference+agent}) is
 * an agent's key, of {@link #AGENT}.
 */
@TestConfiguration(proxyBeanMethods = false)
@EnableWebSecurity
@EnableConfigurationProperties(InferenceProperties.class)
@Import({ SecurityConfiguration.class, TracingConfiguration.class })
public class InferenceWebMvcSlice {

    public static final UUID DEPARTMENT = UUID.fromString("5f0c3a4e-8d1b-4c2a-9e7f-1a2b3c4d5e6f");

    public static final UUID AGENT = UUID.fromString("0b6e2f7a-3c1d-4e5f-8a9b-7c6d5e4f3a2b");

    public static final Instant NOW = Instant.parse("2026-11-05T10:00:00Z");

    @Bean
    JwtDecoder scopesAsTokens() {
        return token -> {
            List<String> words = List.of(token.split("\\+"));
            Jwt.Builder jwt = Jwt.withTokenValue(token)
                .header("alg", "ES256")
                .subject("test")
                .claim(IdentityClaims.SCOPE,
                        String.join(" ", words.stream().filter(word -> !word.equals("agent")).toList()))
                .claim(IdentityClaims.KEY_ID, UUID.randomUUID().toString());
            if (!words.contains(IdentityClaims.SCOPE_ADMIN)) {
                jwt.claim(IdentityClaims.DEPARTMENT_ID, DEPARTMENT.toString());
            }
            if (words.contains("agent")) {
                jwt.claim(IdentityClaims.AGENT_ID, AGENT.toString());
            }
            return jwt.build();
        };
    }

    /**
     * The service's one clock, which a slice does not scan; fixed, so times in answers
     * can be asserted.
     */
    @Bean
    Clock clock() {
        return Clock.fixed(NOW, ZoneOffset.UTC);
    }

}
