package io.tokenfactory.gateway.limits;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

import io.tokenfactory.gateway.apikey.ApiKeyView;
import io.tokenfactory.gateway.web.ProblemResponses;

import org.reactivestreams.Publisher;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A key limited to some models sees only those: {@code GET /v1/models} lists the models
 * it may use, and {@code GET /v1/models/{id}} of another answers 404
 * {@code model_not_found}, as OpenAI answers for a model a key has no access to. Keys
 * without such a limit see inference-service's whole list.
 */
@Component
class AllowedModelsFilter implements GlobalFilter, Ordered {

    private static final String MODELS = "/v1/models";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        ApiKeyView key = exchange.getAttribute(ApiKeyView.EXCHANGE_ATTRIBUTE);
        Route route = exchange.getAttribute(ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR);
        if (key == null || key.allowedModels().isEmpty() || exchange.getRequest().getMethod() != HttpMethod.GET
                || route == null || !AdmissionFilter.INFERENCE_ROUTE.equals(route.getId())) {
            return chain.filter(exchange);
        }
        String path = exchange.getRequest().getPath().pathWithinApplication().value();
        if (path.equals(MODELS) || path.equals(MODELS + "/")) {
            return chain.filter(exchange.mutate().response(new AllowedOnly(exchange.getResponse(), key)).build());
        }
        if (path.startsWith(MODELS + "/")) {
            String model = URLDecoder.decode(path.substring(MODELS.length() + 1), StandardCharsets.UTF_8);
            if (!key.allowsModel(model)) {
                return ProblemResponses.write(exchange, HttpStatus.NOT_FOUND, "model_not_found",
                        "invalid_request_error", "The model '" + model + "' does not exist or this key may not use it");
            }
        }
        return chain.filter(exchange);
    }

    /** The list as inference-service answered it, less the models the key may not use. */
    private static final class AllowedOnly extends ServerHttpResponseDecorator {

        private final ApiKeyView key;

        AllowedOnly(ServerHttpResponse response, ApiKeyView key) {
            super(response);
            this.key = key;
        }

        @Override
        public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
            MediaType type = getHeaders().getContentType();
            if (getStatusCode() == null || !getStatusCode().is2xxSuccessful() || type == null
                    || !type.isCompatibleWith(MediaType.APPLICATION_JSON)) {
                return super.writeWith(body);
            }
            return DataBufferUtils.join(Flux.from(body)).flatMap(joined -> {
                byte[] bytes = new byte[joined.readableByteCount()];
                joined.read(bytes);
                DataBufferUtils.release(joined);
                byte[] filtered = allowedOnly(bytes);
                getHeaders().setContentLength(filtered.length);
                return super.writeWith(Mono.just(bufferFactory().wrap(filtered)));
            });
        }

        private byte[] allowedOnly(byte[] list) {
            JsonNode root = JSON.readTree(list);
            if (!(root instanceof ObjectNode object) || !(root.get("data") instanceof ArrayNode data)) {
                return list;
            }
            ArrayNode allowed = JSON.createArrayNode();
            data.forEach(model -> {
                if (key.allowsModel(model.path("id").asString())) {
                    allowed.add(model);
                }
            });
            object.set("data", allowed);
            return JSON.writeValueAsBytes(object);
        }

    }

    @Override
    public int getOrder() {
        // after the key is known (security), beside the admission checks
        return Ordered.HIGHEST_PRECEDENCE + 201;
    }

}
