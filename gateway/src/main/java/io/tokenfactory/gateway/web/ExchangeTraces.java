package io.tokenfactory.gateway.web;

import java.util.Optional;

import io.micrometer.common.KeyValue;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.handler.TracingObservationHandler;
import org.jspecify.annotations.Nullable;

import org.springframework.http.server.reactive.observation.ServerRequestObservationContext;
import org.springframework.web.server.ServerWebExchange;

/**
 * The server observation of an exchange, which the tracer turns into the request's span
 * at the gateway. Attributes go in as high-cardinality key values: on the span, never on
 * the request metrics' tags.
 */
public final class ExchangeTraces {

    private ExchangeTraces() {
    }

    /** Names an attribute of the exchange's span (nothing when it has none). */
    public static void tag(ServerWebExchange exchange, String key, @Nullable Object value) {
        if (value != null) {
            ServerRequestObservationContext.findCurrent(exchange.getAttributes())
                .ifPresent(context -> context.addHighCardinalityKeyValue(KeyValue.of(key, value.toString())));
        }
    }

    /** The trace id of the exchange's span; empty where nothing traces it. */
    public static Optional<String> traceId(ServerWebExchange exchange) {
        return ServerRequestObservationContext.findCurrent(exchange.getAttributes()).map(context -> {
            TracingObservationHandler.TracingContext tracing = context
                .get(TracingObservationHandler.TracingContext.class);
            Span span = tracing == null ? null : tracing.getSpan();
            return span == null ? null : span.context().traceId();
        });
    }

}
