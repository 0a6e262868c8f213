package io.tokenfactory.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

import reactor.core.publisher.Mono;

/**
 * Every request's id: a client's sane one kept, anything else replaced, passed on and
 * back. (Its trace is the tracer's: AdmissionIntegrationTests.)
 */
class EdgeFilterTests {

    private final EdgeFilter filter = new EdgeFilter();

    @Test
    void aSaneRequestIdIsKeptAndAnsweredBack() {
        MockServerWebExchange exchange = MockServerWebExchange
            .from(MockServerHttpRequest.get("/v1/models").header("X-Request-Id", "client-42.retry:1"));

        ServerHttpRequest passed = filter(exchange);

        assertThat(passed.getHeaders().getFirst("X-Request-Id")).isEqualTo("client-42.retry:1");
        assertThat(exchange.getResponse().getHeaders().getFirst("X-Request-Id")).isEqualTo("client-42.retry:1");
    }

    @Test
    void anInsaneRequestIdIsReplaced() {
        MockServerWebExchange exchange = MockServerWebExchange
            .from(MockServerHttpRequest.get("/v1/models").header("X-Request-Id", "a b\r\nInjected: yes"));

        ServerHttpRequest passed = filter(exchange);

        assertThat(passed.getHeaders().getFirst("X-Request-Id"))
            .matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
        assertThat(exchange.getResponse().getHeaders().getFirst("X-Request-Id"))
            .isEqualTo(passed.getHeaders().getFirst("X-Request-Id"));
    }

    @Test
    void aRequestIdLongerThan64CharactersIsReplaced() {
        MockServerWebExchange exchange = MockServerWebExchange
            .from(MockServerHttpRequest.get("/").header("X-Request-Id", "a".repeat(65)));

        assertThat(filter(exchange).getHeaders().getFirst("X-Request-Id")).hasSize(36);
    }

    private ServerHttpRequest filter(MockServerWebExchange exchange) {
        AtomicReference<ServerHttpRequest> passed = new AtomicReference<>();
        filter.filter(exchange, traced -> {
            passed.set(traced.getRequest());
            return Mono.empty();
        }).block();
        return passed.get();
    }

}
