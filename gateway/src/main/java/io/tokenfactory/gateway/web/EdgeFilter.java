package io.tokenfactory.gateway.web;

import java.util.UUID;
import java.util.regex.Pattern;

import io.tokenfactory.gateway.apikey.ApiKeyView;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

import reactor.core.publisher.Mono;

/**
 * First and last on every request: gives it a request id ({@code X-Request-Id}, kept when
 * the client sent a sane one), passes it downstream and back, and writes one access-log
 * line with the key id — never the key — and the request's trace id. The trace itself is
 * the tracer's: the server span continues a client's valid {@code traceparent} or starts
 * one, and the routed call carries its own.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class EdgeFilter implements WebFilter {

    static final String REQUEST_ID = "X-Request-Id";

    private static final Pattern SANE_REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    private static final Logger accessLog = LoggerFactory.getLogger("tokenfactory.gateway.access");

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        long started = System.nanoTime();
        ServerHttpRequest request = exchange.getRequest();
        String requestId = request.getHeaders().getFirst(REQUEST_ID);
        if (requestId == null || !SANE_REQUEST_ID.matcher(requestId).matches()) {
            requestId = UUID.randomUUID().toString();
        }
        String id = requestId;
        ServerWebExchange traced = exchange.mutate()
            .request(request.mutate().headers(headers -> headers.set(REQUEST_ID, id)).build())
            .build();
        traced.getResponse().getHeaders().set(REQUEST_ID, id);
        return chain.filter(traced).doFinally(signal -> {
            ApiKeyView key = traced.getAttribute(ApiKeyView.EXCHANGE_ATTRIBUTE);
            var status = traced.getResponse().getStatusCode();
            accessLog.info("{} {} {} {}ms key={} request={} trace={}", request.getMethod(), request.getPath().value(),
                    status == null ? "-" : status.value(), (System.nanoTime() - started) / 1_000_000,
                    key == null ? "-" : key.id(), id, ExchangeTraces.traceId(exchange).orElse("-"));
        });
    }

}
