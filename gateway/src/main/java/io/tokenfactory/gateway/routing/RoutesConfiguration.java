package io.tokenfactory.gateway.routing;

import java.net.URI;
import java.time.Duration;
import java.util.function.UnaryOperator;

import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.netty.channel.ChannelOption;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import io.tokenfactory.gateway.GatewayProperties;

import org.springframework.cloud.circuitbreaker.resilience4j.ReactiveResilience4JCircuitBreakerFactory;
import org.springframework.cloud.circuitbreaker.resilience4j.Resilience4JConfigBuilder;
import org.springframework.cloud.client.circuitbreaker.Customizer;
import org.springframework.cloud.gateway.config.HttpClientCustomizer;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.cloud.gateway.route.builder.BooleanSpec;
import org.springframework.cloud.gateway.route.builder.Buildable;
import org.springframework.cloud.gateway.route.builder.GatewayFilterSpec;
import org.springframework.cloud.gateway.route.builder.PredicateSpec;
import org.springframework.cloud.gateway.route.builder.RouteLocatorBuilder;
import org.springframework.cloud.gateway.support.RouteMetadataUtils;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;

/**
 * One route per service. Each has connect and response timeouts and a circuit breaker
 * named after the service; admin API reads are retried twice; inference is never retried
 * (a generation may already have started); when the service is down, slow or its breaker
 * is open, the call ends in {@code /fallback/{service}}, which answers with a problem
 * detail instead of hanging or leaking a stack trace.
 */
@Configuration(proxyBeanMethods = false)
class RoutesConfiguration {

    static final String INFERENCE = "inference-service";
    static final String AGENTS = "agent-service";
    static final String METERING = "metering-service";
    static final String BILLING = "billing-service";

    @Bean
    RouteLocator serviceRoutes(RouteLocatorBuilder routes, GatewayProperties properties) {
        GatewayProperties.Upstreams upstreams = properties.upstreams();
        return routes.routes()
            .route(INFERENCE,
                    route -> route.path("/v1/**")
                        .filters(filter -> filter.circuitBreaker(
                                breaker -> breaker.setName(INFERENCE).setFallbackUri("forward:/fallback/" + INFERENCE)))
                        .metadata(RouteMetadataUtils.CONNECT_TIMEOUT_ATTR, properties.connectTimeout().toMillis())
                        .metadata(RouteMetadataUtils.RESPONSE_TIMEOUT_ATTR,
                                properties.inferenceResponseTimeout().toMillis())
                        .uri(upstreams.inference()))
            // inference-service's administrator views (its nodes and meters, its usage
            // summary)
            .route(INFERENCE + "-api",
                    route -> apiRoute(route.path("/api/inference/**"), INFERENCE, upstreams.inference(), properties))
            .route(AGENTS,
                    route -> apiRoute(route.path("/api/agents", "/api/agents/**"), AGENTS, upstreams.agents(),
                            properties))
            .route(METERING,
                    route -> apiRoute(route.path("/api/metering/**"), METERING, upstreams.metering(), properties))
            .route(BILLING, route -> apiRoute(route.path("/api/billing/**"), BILLING, upstreams.billing(), properties))
            // each consuming service's dead letters: /api/dead-letters/<area>/** is its
            // /api/dead-letters/** (the gateway's own are served here)
            .route(AGENTS + "-dead-letters",
                    route -> deadLetterRoute(route, "agents", AGENTS, upstreams.agents(), properties))
            .route(METERING + "-dead-letters",
                    route -> deadLetterRoute(route, "metering", METERING, upstreams.metering(), properties))
            .route(BILLING + "-dead-letters",
                    route -> deadLetterRoute(route, "billing", BILLING, upstreams.billing(), properties))
            // each service's audit trail: /api/audit/<area>/** is its /api/audit/** (the
            // gateway's own is /api/audit)
            .route(AGENTS + "-audit",
                    route -> areaRoute(route, "audit", "agents", AGENTS, upstreams.agents(), properties))
            .route(METERING + "-audit",
                    route -> areaRoute(route, "audit", "metering", METERING, upstreams.metering(), properties))
            .route(BILLING + "-audit",
                    route -> areaRoute(route, "audit", "billing", BILLING, upstreams.billing(), properties))
            .route(INFERENCE + "-audit",
                    route -> areaRoute(route, "audit", "inference", INFERENCE, upstreams.inference(), properties))
            .build();
    }

    private static Buildable<Route> deadLetterRoute(PredicateSpec route, String area, String service, URI upstream,
            GatewayProperties properties) {
        return areaRoute(route, "dead-letters", area, service, upstream, properties);
    }

    /**
     * {@code /api/<kind>/<area>/**} at the gateway is that service's
     * {@code /api/<kind>/**}.
     */
    private static Buildable<Route> areaRoute(PredicateSpec route, String kind, String area, String service,
            URI upstream, GatewayProperties properties) {
        String prefix = "/api/" + kind + "/" + area;
        return apiRoute(route.path(prefix, prefix + "/**"), service, upstream, properties,
                filter -> filter.rewritePath(prefix + "(?<rest>/?.*)", "/api/" + kind + "${rest}"));
    }

    private static Buildable<Route> apiRoute(BooleanSpec path, String service, URI upstream,
            GatewayProperties properties) {
        return apiRoute(path, service, upstream, properties, UnaryOperator.identity());
    }

    private static Buildable<Route> apiRoute(BooleanSpec path, String service, URI upstream,
            GatewayProperties properties, UnaryOperator<GatewayFilterSpec> rewrite) {
        return path.filters(filter -> rewrite.apply(filter)
            // reads only (GET), on connection failures, timeouts and 5xx; never a write,
            // never a generation
            .retry(retry -> retry.setRetries(2).setMethods(HttpMethod.GET))
            .circuitBreaker(breaker -> breaker.setName(service).setFallbackUri("forward:/fallback/" + service)))
            .metadata(RouteMetadataUtils.CONNECT_TIMEOUT_ATTR, properties.connectTimeout().toMillis())
            .metadata(RouteMetadataUtils.RESPONSE_TIMEOUT_ATTR, properties.responseTimeout().toMillis())
            .uri(upstream);
    }

    /**
     * Bounds the silence between two reads of any response (Reactor Netty's per-read
     * response timeout).
     */
    @Bean
    HttpClientCustomizer streamIdleTimeout(GatewayProperties properties) {
        return httpClient -> httpClient.responseTimeout(properties.streamIdleTimeout())
            .option(ChannelOption.TCP_NODELAY, true);
    }

    /**
     * The breakers open after half of at least ten calls failed and probe again after ten
     * seconds. Their time limit sits above the route's response timeout, which is what
     * actually bounds a call; token streams are long, so inference's limit is generous.
     */
    @Bean
    Customizer<ReactiveResilience4JCircuitBreakerFactory> serviceCircuitBreakers(GatewayProperties properties) {
        CircuitBreakerConfig breaker = CircuitBreakerConfig.custom()
            .failureRateThreshold(50)
            .minimumNumberOfCalls(10)
            .slidingWindowSize(20)
            .waitDurationInOpenState(Duration.ofSeconds(10))
            .build();
        return factory -> {
            factory.configureDefault(id -> new Resilience4JConfigBuilder(id).circuitBreakerConfig(breaker)
                .timeLimiterConfig(TimeLimiterConfig.custom()
                    .timeoutDuration(properties.responseTimeout().plus(properties.connectTimeout()).plusSeconds(1))
                    .build())
                .build());
            factory.configure(
                    builder -> builder.circuitBreakerConfig(breaker)
                        .timeLimiterConfig(TimeLimiterConfig.custom().timeoutDuration(Duration.ofHours(1)).build()),
                    INFERENCE);
        };
    }

}
