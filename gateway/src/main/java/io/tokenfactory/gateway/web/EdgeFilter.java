package io.tokenfactory.gateway.web;

import java.security.SecureRandom;
import java.util.HexFormat;
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
 * the client sent a sane one) and a W3C {@code traceparent} (kept, or started here),
 * passes both downstream and back, and writes one access-log line with the key id — never
 * the key.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class EdgeFilter implements WebFilter {

    static final String REQUEST_ID = "X-Request-Id";
    static final String TRACEPARENT = "traceparent";

    private static final Pattern SANE_REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    private static final Pattern VALID_TRACEPARENT = Pattern.compile("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");

    private static final Logger accessLog = LoggerFactory.getLogger("tokenfactory.gateway.access");

    private static final SecureRandom random = new SecureRandom();

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        long started = System.nanoTime();
        ServerHttpRequest request = exchange.getRequest();
        String requestId = request.getHeaders().getFirst(REQUEST_ID);
        if (requestId == null || !SANE_REQUEST_ID.matcher(requestId).matches()) {
            requestId = UUID.randomUUID().toString();
        }
        String traceparent = request.getHeaders().getFirst(TRACEPARENT);
        if (traceparent == null || !VALID_TRACEPARENT.matcher(traceparent).matches()) {
            traceparent = "00-" + randomHex(16) + "-" + randomHex(8) + "-01";
        }
        String id = requestId;
        String trace = traceparent;
        ServerWebExchange traced = exchange.mutate().request(request.mutate().headers(headers -> {
            headers.set(REQUEST_ID, id);
            headers.set(TRACEPARENT, trace);
        }).build()).build();
        traced.getResponse().getHeaders().set(REQUEST_ID, id);
        return chain.filter(traced).doFinally(signal -> {
            ApiKeyView key = traced.getAttribute(ApiKeyView.EXCHANGE_ATTRIBUTE);
            var status = traced.getResponse().getStatusCode();
            accessLog.info("{} {} {} {}ms key={} request={} trace={}", request.getMethod(), request.getPath().value(),
                    status == null ? "-" : status.value(), (System.nanoTime() - started) / 1_000_000,
                    key == null ? "-" : key.id(), id, trace.substring(3, 35));
        });
    }

    private static String randomHex(int bytes) {
        byte[] value = new byte[bytes];
        random.nextBytes(value);
        return HexFormat.of().formatHex(value);
    }

}
