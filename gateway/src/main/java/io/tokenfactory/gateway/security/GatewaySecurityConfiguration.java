package io.tokenfactory.gateway.security;

import static io.tokenfactory.support.security.IdentityClaims.SCOPE_ADMIN;
import static io.tokenfactory.support.security.IdentityClaims.SCOPE_INFERENCE;
import static io.tokenfactory.support.security.IdentityClaims.SCOPE_USAGE_READ;
import static io.tokenfactory.support.security.IdentityClaims.authority;

import java.util.LinkedHashMap;
import java.util.Map;

import io.tokenfactory.gateway.apikey.ApiKeys;
import io.tokenfactory.support.problem.ProblemTypes;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.ReactiveAuthenticationManager;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.config.web.server.SecurityWebFiltersOrder;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.authentication.AuthenticationWebFilter;
import org.springframework.security.web.server.authentication.ServerAuthenticationEntryPointFailureHandler;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;
import org.springframework.web.server.ServerWebExchange;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.json.JsonMapper;

/**
 * Who may pass the front door: every request but health, info, metrics and the public signing key needs an
 * active API key ({@code Authorization: Bearer tf_...}); its scopes decide which routes it reaches. Unknown,
 * revoked and expired keys get 401 {@code invalid_api_key}; a missing scope 403 {@code forbidden}.
 */
@Configuration(proxyBeanMethods = false)
class GatewaySecurityConfiguration {

    private static final String BEARER = "Bearer ";

    @Bean
    SecurityWebFilterChain gatewaySecurity(ServerHttpSecurity http, ApiKeys keys, JsonMapper json) {
        AuthenticationWebFilter apiKeys = new AuthenticationWebFilter(apiKeyAuthentication(keys));
        apiKeys.setServerAuthenticationConverter(GatewaySecurityConfiguration::bearerSecret);
        apiKeys.setAuthenticationFailureHandler(new ServerAuthenticationEntryPointFailureHandler(
                (exchange, failure) -> problem(exchange, json, HttpStatus.UNAUTHORIZED, "invalid_api_key",
                        "The API key is missing, unknown, revoked or expired")));
        apiKeys.setSecurityContextRepository(NoOpServerSecurityContextRepository.getInstance());

        return http
                .csrf(ServerHttpSecurity.CsrfSpec::disable)
                .httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
                .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
                .logout(ServerHttpSecurity.LogoutSpec::disable)
                .requestCache(ServerHttpSecurity.RequestCacheSpec::disable)
                .securityContextRepository(NoOpServerSecurityContextRepository.getInstance())
                .addFilterAt(apiKeys, SecurityWebFiltersOrder.AUTHENTICATION)
                .authorizeExchange(exchanges -> exchanges
                        .pathMatchers("/actuator/health", "/actuator/health/**", "/actuator/info",
                                "/actuator/prometheus", "/.well-known/jwks.json").permitAll()
                        .pathMatchers("/v1/**").hasAuthority(authority(SCOPE_INFERENCE))
                        .pathMatchers("/api/keys", "/api/keys/**").hasAuthority(authority(SCOPE_ADMIN))
                        .pathMatchers("/api/metering/**").hasAnyAuthority(authority(SCOPE_USAGE_READ), authority(SCOPE_ADMIN))
                        .anyExchange().authenticated())
                .exceptionHandling(exceptions -> exceptions
                        .authenticationEntryPoint((exchange, failure) -> problem(exchange, json, HttpStatus.UNAUTHORIZED,
                                "invalid_api_key", "The API key is missing, unknown, revoked or expired"))
                        .accessDeniedHandler((exchange, denied) -> problem(exchange, json, HttpStatus.FORBIDDEN,
                                "forbidden", "The API key lacks the scope this operation needs")))
                .build();
    }

    private static ReactiveAuthenticationManager apiKeyAuthentication(ApiKeys keys) {
        return authentication -> Mono.fromCallable(() -> keys.authenticate((String) authentication.getCredentials()))
                // a cache miss reads the database, which blocks
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(found -> found.<Mono<AuthenticatedApiKey>>map(key -> Mono.just(new AuthenticatedApiKey(key)))
                        .orElseGet(() -> Mono.error(new BadCredentialsException("invalid API key"))))
                .cast(org.springframework.security.core.Authentication.class);
    }

    private static Mono<org.springframework.security.core.Authentication> bearerSecret(ServerWebExchange exchange) {
        String header = exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return Mono.empty();
        }
        String secret = header.substring(BEARER.length()).trim();
        return Mono.just(UsernamePasswordAuthenticationToken.unauthenticated("api-key", secret));
    }

    static Mono<Void> problem(ServerWebExchange exchange, JsonMapper json, HttpStatus status, String code, String detail) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", ProblemTypes.typeOf(code).toString());
        body.put("title", status.getReasonPhrase());
        body.put("status", status.value());
        body.put("detail", detail);
        body.put(ProblemTypes.CODE, code);
        // OpenAI clients read this part
        body.put("error", Map.of("message", detail, "type", status == HttpStatus.UNAUTHORIZED
                ? "invalid_request_error" : "permission_error", "code", code));
        var response = exchange.getResponse();
        response.setStatusCode(status);
        response.getHeaders().setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        if (status == HttpStatus.UNAUTHORIZED) {
            response.getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
        }
        return response.writeWith(Mono.just(response.bufferFactory().wrap(json.writeValueAsBytes(body))));
    }
}
