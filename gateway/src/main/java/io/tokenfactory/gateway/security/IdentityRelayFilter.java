package io.tokenfactory.gateway.security;

import java.util.List;
import java.util.Locale;

import io.tokenfactory.gateway.ClientAddress;
import io.tokenfactory.gateway.identity.IdentityTokens;
import io.tokenfactory.support.security.IdentityClaims;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

import reactor.core.publisher.Mono;

/**
 * On every routed request: drops whatever identity the client claimed (its API key and
 * any {@code X-TF-*} header) and sends the caller's identity as the gateway vouches for
 * it — a signed identity token.
 */
@Component
class IdentityRelayFilter implements GlobalFilter, Ordered {

    /**
     * Headers a client could use to pretend to be someone else; services never trust
     * them, we drop them anyway.
     */
    static final List<String> SPOOFABLE_PREFIXES = List.of("x-tf-", "x-department", "x-agent", "x-api-key");

    private final IdentityTokens identityTokens;

    IdentityRelayFilter(IdentityTokens identityTokens) {
        this.identityTokens = identityTokens;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        return exchange.getPrincipal()
            .ofType(AuthenticatedApiKey.class)
            .map(caller -> relay(exchange,
                    identityTokens.forKey(caller.key().id(), caller.key().departmentId(), caller.key().agentId(),
                            caller.key().scopes(), caller.key().priority(), caller.key().person(), caller.key().tags()),
                    caller.key().agentId() != null))
            .switchIfEmpty(Mono.fromSupplier(() -> relay(exchange, null, false)))
            .flatMap(chain::filter);
    }

    /**
     * @param agentKey whether the key is bound to an agent: only then may the request
     * name its agent run ({@value IdentityClaims#AGENT_RUN_HEADER}), so the run's usage,
     * energy and cost can be found by run id
     */
    private static ServerWebExchange relay(ServerWebExchange exchange, String identityToken, boolean agentKey) {
        ServerHttpRequest request = exchange.getRequest().mutate().headers(headers -> {
            headers.remove(HttpHeaders.AUTHORIZATION);
            // a client's h2c upgrade offer is for this hop only (the gateway speaks
            // HTTP/1.1 to the services); passed
            // on, it left the first proxied request of a connection waiting for an answer
            // that never came
            headers.remove(HttpHeaders.UPGRADE);
            headers.remove("HTTP2-Settings");
            List.copyOf(headers.headerNames())
                .stream()
                .filter(name -> SPOOFABLE_PREFIXES.stream()
                    .anyMatch(prefix -> name.toLowerCase(Locale.ROOT).startsWith(prefix)))
                .filter(name -> !(agentKey && name.equalsIgnoreCase(IdentityClaims.AGENT_RUN_HEADER)))
                .forEach(headers::remove);
            if (identityToken != null) {
                headers.setBearerAuth(identityToken);
            }
            // for the services' audit trails: the client's address as the gateway saw it
            String address = ClientAddress.of(exchange);
            if (address != null) {
                headers.set(IdentityClaims.CLIENT_ADDRESS_HEADER, address);
            }
        }).build();
        return exchange.mutate().request(request).build();
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE + 100;
    }

}
