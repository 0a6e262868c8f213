package io.tokenfactory.gateway.security;

import static io.tokenfactory.support.security.IdentityClaims.SCOPE_ADMIN;
import static io.tokenfactory.support.security.IdentityClaims.SCOPE_AGENTS_READ;
import static io.tokenfactory.support.security.IdentityClaims.SCOPE_AGENTS_WRITE;
import static io.tokenfactory.support.security.IdentityClaims.SCOPE_AGENT_KEYS;
import static io.tokenfactory.support.security.IdentityClaims.SCOPE_BILLING_ADMIN;
import static io.tokenfactory.support.security.IdentityClaims.SCOPE_BILLING_READ;
import static io.tokenfactory.support.security.IdentityClaims.SCOPE_INFERENCE;
import static io.tokenfactory.support.security.IdentityClaims.SCOPE_KEYS_ADMIN;
import static io.tokenfactory.support.security.IdentityClaims.SCOPE_METRICS_READ;
import static io.tokenfactory.support.security.IdentityClaims.SCOPE_USAGE_READ;
import static io.tokenfactory.support.security.IdentityClaims.authority;
import static io.tokenfactory.support.security.IdentityClaims.grantedBy;

import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

import io.tokenfactory.gateway.ClientAddress;
import io.tokenfactory.gateway.GatewayProperties;
import io.tokenfactory.gateway.apikey.ApiKeyView;
import io.tokenfactory.gateway.apikey.ApiKeys;
import io.tokenfactory.gateway.identity.IdentityTokens;
import io.tokenfactory.gateway.sso.SsoPeople;
import io.tokenfactory.gateway.web.ProblemResponses;

import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.ReactiveAuthenticationManager;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.config.web.server.SecurityWebFiltersOrder;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.WebFilterChainProxy;
import org.springframework.security.web.server.authentication.AuthenticationWebFilter;
import org.springframework.security.web.server.authentication.ServerAuthenticationEntryPointFailureHandler;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.reactive.CorsConfigurationSource;
import org.springframework.web.cors.reactive.UrlBasedCorsConfigurationSource;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Who may pass the front door: every request but health and the public signing key needs
 * an active API key (metrics and build info a scraper's, {@code metrics:read})
 * ({@code Authorization: Bearer tf_...}), or a person's access token from the
 * organisation's identity provider (single sign-on, {@link SsoPeople}); its scopes decide
 * which routes it reaches. Unknown, revoked and expired keys get 401
 * {@code invalid_api_key}; a missing scope 403 {@code forbidden}. The relayed-usage
 * summary also takes an identity token this gateway minted, which is how services call
 * it.
 */
@Configuration(proxyBeanMethods = false)
class GatewaySecurityConfiguration {

    /** The hash of Swagger UI's one inline style (its logo), for the CSP's style-src. */
    static final String SWAGGER_UI_LOGO_STYLE = "'sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w='";

    private static final String BEARER = "Bearer ";

    /**
     * The gateway's own endpoints that services call with the identity token their caller
     * came with (metering's reconciliation), as they call one another's.
     */
    private static final String SERVICE_CALLED = "/api/gateway/relayed-usage";

    private static final String API_KEY = "api-key";

    private static final String IDENTITY_TOKEN = "identity-token";

    /**
     * An access token of the organisation's identity provider: a person (single sign-on).
     */
    private static final String PROVIDER_TOKEN = "provider-token";

    @Bean
    SecurityWebFilterChain gatewaySecurity(ServerHttpSecurity http, ApiKeys keys, IdentityTokens identityTokens,
            ObjectProvider<SsoPeople> people, GatewayProperties properties, Clock clock) {
        FailedAuthentications failures = new FailedAuthentications(properties.limits().failedAuthenticationsPerMinute(),
                clock);
        // (a slice test without the sso package takes no provider's token)
        AuthenticationWebFilter apiKeys = new AuthenticationWebFilter(
                authentication(keys, identityTokens, people.getIfAvailable()));
        apiKeys.setServerAuthenticationConverter(GatewaySecurityConfiguration::bearerSecret);
        apiKeys
            .setAuthenticationFailureHandler(new ServerAuthenticationEntryPointFailureHandler((exchange, failure) -> {
                failures.failed(exchange);
                return ProblemResponses.write(exchange, HttpStatus.UNAUTHORIZED, "invalid_api_key",
                        "invalid_request_error", "The API key is missing, unknown, revoked or expired");
            }));
        // an address that presented too many wrong keys this minute is refused before its
        // key is even looked at
        WebFilter bruteForceGuard = (exchange, chain) -> {
            long wait = exchange.getRequest().getHeaders().containsHeader(HttpHeaders.AUTHORIZATION)
                    ? failures.blockedFor(exchange) : 0;
            return wait == 0 ? chain.filter(exchange)
                    : ProblemResponses.write(exchange, HttpStatus.TOO_MANY_REQUESTS, "too_many_failed_authentications",
                            "rate_limit_error",
                            "Too many wrong API keys from this address; try again in " + wait + " s", wait);
        };
        apiKeys.setAuthenticationSuccessHandler((filterExchange, authentication) -> {
            // the access log and the limits read the key from here
            if (authentication instanceof AuthenticatedApiKey key) {
                filterExchange.getExchange().getAttributes().put(ApiKeyView.EXCHANGE_ATTRIBUTE, key.key());
                if (key.key().unusedBootstrap()) {
                    // the first start's admin key is in an operator's hands: it no longer
                    // expires by itself
                    // two first requests at once: one records the first use, the
                    // other's conflict changes nothing and must not fail its request
                    return Mono.fromRunnable(() -> keys.firstUse(key.key().id()))
                        .subscribeOn(Schedulers.boundedElastic())
                        .onErrorResume(conflict -> Mono.empty())
                        .then(filterExchange.getChain().filter(filterExchange.getExchange()));
                }
            }
            return filterExchange.getChain().filter(filterExchange.getExchange());
        });
        apiKeys.setSecurityContextRepository(NoOpServerSecurityContextRepository.getInstance());

        return http.csrf(ServerHttpSecurity.CsrfSpec::disable)
            // the console loads scripts and styles from the gateway only, and is never
            // framed
            // (and calls the identity provider's discovery and token endpoints when
            // people sign in through it)
            .headers(headers -> headers.contentSecurityPolicy(csp -> csp
                // the one inline style Swagger UI has (its logo's SVG), by its hash
                .policyDirectives("default-src 'self'; img-src 'self' data:; style-src 'self' " + SWAGGER_UI_LOGO_STYLE
                        + "; script-src 'self'; " + "connect-src 'self'" + providerOrigin(properties)
                        + "; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")))
            .cors(cors -> cors.configurationSource(consoleOrigins(properties)))
            .httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
            .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
            .logout(ServerHttpSecurity.LogoutSpec::disable)
            .requestCache(ServerHttpSecurity.RequestCacheSpec::disable)
            .securityContextRepository(NoOpServerSecurityContextRepository.getInstance())
            .addFilterBefore(bruteForceGuard, SecurityWebFiltersOrder.AUTHENTICATION)
            .addFilterAt(apiKeys, SecurityWebFiltersOrder.AUTHENTICATION)
            .authorizeExchange(exchanges -> exchanges
                // first: nearly every request is a model call, and each rule before it
                // is a path match it pays for (no earlier rule could match it anyway)
                .pathMatchers("/v1/**")
                .hasAuthority(authority(SCOPE_INFERENCE))
                .pathMatchers("/actuator/health", "/actuator/health/**", "/.well-known/jwks.json")
                .permitAll()
                // how the console signs people in through the identity provider, read
                // before anyone is
                .pathMatchers(HttpMethod.GET, "/api/sso")
                .permitAll()
                // the Ingress exposes the gateway: its metrics and build need a scraper's
                // key
                .pathMatchers("/actuator/prometheus", "/actuator/info")
                .hasAnyAuthority(grantedBy(SCOPE_METRICS_READ))
                // the console's static files; everything it shows comes from the APIs
                // with the user's key
                .pathMatchers(HttpMethod.GET, "/console", "/console/**", "/webjars/**")
                .permitAll()
                // the API's description and Swagger UI over it: they describe, they grant
                // nothing
                .pathMatchers(HttpMethod.GET, "/api/openapi.json", "/api/docs", "/api/docs/**")
                .permitAll()
                .pathMatchers(HttpMethod.GET, "/api/me")
                .authenticated()
                // agent-service issues and revokes its agents' keys (KeyIssuing narrows
                // what it may ask for)
                .pathMatchers(HttpMethod.POST, "/api/keys", "/api/keys/*/revoke")
                .hasAnyAuthority(grantedBy(SCOPE_KEYS_ADMIN, SCOPE_AGENT_KEYS))
                // and sets its agents' keys' cost tags, which it reads the rules of
                .pathMatchers(HttpMethod.PUT, "/api/keys/*/tags")
                .hasAnyAuthority(grantedBy(SCOPE_KEYS_ADMIN, SCOPE_AGENT_KEYS))
                .pathMatchers(HttpMethod.GET, "/api/tags")
                .hasAnyAuthority(grantedBy(SCOPE_KEYS_ADMIN, SCOPE_AGENT_KEYS, SCOPE_AGENTS_WRITE))
                .pathMatchers("/api/tags/**")
                .hasAuthority(authority(SCOPE_ADMIN))
                .pathMatchers("/api/keys", "/api/keys/**")
                .hasAnyAuthority(grantedBy(SCOPE_KEYS_ADMIN))
                // metering narrows its administrative views further
                .pathMatchers("/api/metering/**")
                .hasAnyAuthority(grantedBy(SCOPE_USAGE_READ))
                .pathMatchers("/api/inference/**")
                .hasAuthority(authority(SCOPE_ADMIN))
                // HTTP tools are the platform's: administrators register and remove them
                .pathMatchers(HttpMethod.POST, "/api/agents/tools")
                .hasAuthority(authority(SCOPE_ADMIN))
                .pathMatchers(HttpMethod.DELETE, "/api/agents/tools/*")
                .hasAuthority(authority(SCOPE_ADMIN))
                .pathMatchers(HttpMethod.GET, "/api/agents", "/api/agents/**")
                .hasAnyAuthority(grantedBy(SCOPE_AGENTS_READ))
                .pathMatchers("/api/agents", "/api/agents/**")
                .hasAnyAuthority(grantedBy(SCOPE_AGENTS_WRITE))
                // billing narrows further: what only billing administrators read, a
                // department's own data
                .pathMatchers(HttpMethod.GET, "/api/billing/**")
                .hasAnyAuthority(grantedBy(SCOPE_BILLING_READ, SCOPE_BILLING_ADMIN))
                .pathMatchers("/api/billing/webhooks", "/api/billing/webhooks/**")
                .hasAnyAuthority(grantedBy(SCOPE_BILLING_READ, SCOPE_BILLING_ADMIN))
                .pathMatchers("/api/billing/**")
                .hasAnyAuthority(grantedBy(SCOPE_BILLING_ADMIN))
                .pathMatchers(HttpMethod.GET, SERVICE_CALLED)
                .hasAuthority(authority(SCOPE_ADMIN))
                // a department's keys read its budgets (the controller narrows them to
                // their own); billing administrators set agents' budgets
                .pathMatchers(HttpMethod.GET, "/api/gateway/budgets")
                .hasAnyAuthority(grantedBy(SCOPE_BILLING_READ, SCOPE_BILLING_ADMIN))
                .pathMatchers("/api/gateway/budgets/**")
                .hasAnyAuthority(grantedBy(SCOPE_BILLING_ADMIN))
                // every consuming service's dead letters, the gateway's own included
                .pathMatchers("/api/dead-letters", "/api/dead-letters/**")
                .hasAuthority(authority(SCOPE_ADMIN))
                .pathMatchers("/api/audit", "/api/audit/**")
                .hasAuthority(authority(SCOPE_ADMIN))
                // whatever no rule names is for administrators only
                .anyExchange()
                .hasAuthority(authority(SCOPE_ADMIN)))
            .exceptionHandling(exceptions -> exceptions
                .authenticationEntryPoint((exchange, failure) -> ProblemResponses.write(exchange,
                        HttpStatus.UNAUTHORIZED, "invalid_api_key", "invalid_request_error",
                        "The API key is missing, unknown, revoked or expired"))
                .accessDeniedHandler((exchange, denied) -> ProblemResponses.write(exchange, HttpStatus.FORBIDDEN,
                        "forbidden", "permission_error", "The API key lacks the scope this operation needs")))
            .build();
    }

    /**
     * Requests the firewall refuses (encoded slashes, semicolons, '..' and the like in
     * the URL) get a problem detail like every other refusal, not an empty 400.
     */
    @Bean
    static BeanPostProcessor firewallRefusalsAsProblems() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String name) {
                if (bean instanceof WebFilterChainProxy proxy) {
                    proxy.setExchangeRejectedHandler((exchange, rejected) -> ProblemResponses.write(exchange,
                            HttpStatus.BAD_REQUEST, "rejected_url", "invalid_request_error", "The URL holds an encoded"
                                    + " slash, a semicolon, '..' or another sequence the gateway does not accept"));
                }
                return bean;
            }
        };
    }

    /** Browsers may call the API from the admin console's origins (and only those). */
    private static CorsConfigurationSource consoleOrigins(GatewayProperties properties) {
        CorsConfiguration cors = new CorsConfiguration();
        cors.setAllowedOrigins(properties.consoleOrigins());
        cors.setAllowedMethods(List.of("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"));
        cors.setAllowedHeaders(List.of("Authorization", "Content-Type", "X-Request-Id", "traceparent"));
        cors.setExposedHeaders(List.of("X-Request-Id", "Retry-After", "Location"));
        cors.setMaxAge(3600L);
        UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
        source.registerCorsConfiguration("/**", cors);
        return source;
    }

    private static ReactiveAuthenticationManager authentication(ApiKeys keys, IdentityTokens identityTokens,
            @Nullable SsoPeople people) {
        return authentication -> {
            String secret = (String) authentication.getCredentials();
            if (PROVIDER_TOKEN.equals(authentication.getPrincipal())) {
                if (people == null) {
                    return Mono.error(new BadCredentialsException("single sign-on is off"));
                }
                return people.authenticate(secret, (String) authentication.getDetails())
                    .map(person -> (Authentication) new AuthenticatedApiKey(person));
            }
            if (IDENTITY_TOKEN.equals(authentication.getPrincipal())) {
                return Mono.justOrEmpty(identityTokens.verifiedScopes(secret))
                    .<Authentication>map(scopes -> UsernamePasswordAuthenticationToken.authenticated(IDENTITY_TOKEN, "",
                            scopes.stream()
                                .map(scope -> (GrantedAuthority) new SimpleGrantedAuthority(authority(scope)))
                                .toList()))
                    .switchIfEmpty(Mono.error(new BadCredentialsException("invalid identity token")));
            }
            // a cache hit is answered on the event loop; only a miss reads the database,
            // off the event loop
            Mono<Optional<ApiKeyView>> lookup = keys.authenticateFromCache(secret)
                .map(Mono::just)
                .orElseGet(() -> Mono.fromCallable(() -> keys.authenticate(secret))
                    .subscribeOn(Schedulers.boundedElastic()));
            return lookup
                .flatMap(found -> found.<Mono<Authentication>>map(key -> Mono.just(new AuthenticatedApiKey(key)))
                    .orElseGet(() -> Mono.error(new BadCredentialsException("invalid API key"))));
        };
    }

    /**
     * The identity provider's origin, which the console calls to sign people in; nothing
     * when it is off.
     */
    private static String providerOrigin(GatewayProperties properties) {
        if (!properties.sso().enabled()) {
            return "";
        }
        URI issuer = URI.create(properties.sso().issuerUri());
        return " " + issuer.getScheme() + "://" + issuer.getAuthority();
    }

    private static Mono<Authentication> bearerSecret(ServerWebExchange exchange) {
        String header = exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return Mono.empty();
        }
        String secret = header.substring(BEARER.length()).trim();
        // an API key never holds a dot; a JWT always does: this gateway's identity token
        // on the one endpoint the
        // services call, else the identity provider's access token
        boolean jwt = secret.indexOf('.') >= 0;
        String kind = !jwt ? API_KEY
                : SERVICE_CALLED.equals(exchange.getRequest().getPath().pathWithinApplication().value())
                        ? IDENTITY_TOKEN : PROVIDER_TOKEN;
        UsernamePasswordAuthenticationToken token = UsernamePasswordAuthenticationToken.unauthenticated(kind, secret);
        token.setDetails(ClientAddress.of(exchange));
        return Mono.just(token);
    }

}
