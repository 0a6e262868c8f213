package io.tokenfactory.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import io.tokenfactory.gateway.apikey.ApiKeyView;
import io.tokenfactory.gateway.identity.IdentityTokens;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

import reactor.core.publisher.Mono;

/**
 * What a routed request carries to a service: the gateway's identity token, never the
 * client's claimed identity.
 */
class IdentityRelayFilterTests {

    private final IdentityTokens identityTokens = mock(IdentityTokens.class);

    private final IdentityRelayFilter filter = new IdentityRelayFilter(identityTokens);

    IdentityRelayFilterTests() {
        when(identityTokens.forKey(any(), any(), any(), any(), any(), any(), any())).thenReturn("identity-token");
    }

    @Test
    void theApiKeyAndEveryIdentityHeaderAClientSentAreReplacedByTheIdentityToken() {
        ServerHttpRequest forwarded = relay(key(null),
                MockServerHttpRequest.post("/v1/chat/completions")
                    .header(HttpHeaders.AUTHORIZATION, "Bearer tf_secret")
                    .header("X-TF-Department-Id", UUID.randomUUID().toString())
                    .header("x-department-id", "other")
                    .header("X-Agent-Id", "someone")
                    .header("X-Agent-Run-Id", UUID.randomUUID().toString())
                    .header("X-Api-Key", "tf_other")
                    .header("X-Request-Id", "kept")
                    .header(HttpHeaders.UPGRADE, "h2c")
                    .header("HTTP2-Settings", "AAMAAABkAARAAAAAAAIAAAAA"));

        assertThat(forwarded.getHeaders().getFirst(HttpHeaders.AUTHORIZATION)).isEqualTo("Bearer identity-token");
        assertThat(forwarded.getHeaders().headerNames()).map(String::toLowerCase)
            .containsExactlyInAnyOrder("authorization", "x-request-id");
    }

    @Test
    void onlyAKeyBoundToAnAgentMayNameItsAgentRun() {
        String run = UUID.randomUUID().toString();

        ServerHttpRequest fromAgent = relay(key(UUID.randomUUID()),
                MockServerHttpRequest.post("/v1/completions").header("X-Agent-Run-Id", run).header("X-Agent-Id", "x"));

        assertThat(fromAgent.getHeaders().getFirst("X-Agent-Run-Id")).isEqualTo(run);
        assertThat(fromAgent.getHeaders().containsHeader("X-Agent-Id")).isFalse();
    }

    @Test
    void aRequestWithoutAKeyIsPassedOnWithoutAnyIdentity() {
        AtomicReference<ServerHttpRequest> passed = new AtomicReference<>();
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/actuator/health")
            .header(HttpHeaders.AUTHORIZATION, "Bearer tf_secret")
            .header("X-TF-Scope", "admin"));

        filter.filter(exchange, forwarded -> {
            passed.set(forwarded.getRequest());
            return Mono.empty();
        }).block();

        assertThat(passed.get().getHeaders().headerNames()).isEmpty();
    }

    private ServerHttpRequest relay(ApiKeyView key, MockServerHttpRequest.BaseBuilder<?> request) {
        AtomicReference<ServerHttpRequest> passed = new AtomicReference<>();
        MockServerWebExchange exchange = MockServerWebExchange.builder(request.build())
            .principal(new AuthenticatedApiKey(key))
            .build();
        filter.filter(exchange, forwarded -> {
            passed.set(forwarded.getRequest());
            return Mono.empty();
        }).block();
        return passed.get();
    }

    private static ApiKeyView key(UUID agent) {
        return new ApiKeyView(UUID.randomUUID(), "k", "tf_abc…wxyz", UUID.randomUUID(), agent, Set.of("inference"),
                List.of(), null, null, null, null, Instant.parse("2026-11-05T10:00:00Z"), null);
    }

}
