package io.tokenfactory.gateway.budget;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.tokenfactory.gateway.GatewayProperties;
import io.tokenfactory.gateway.identity.IdentityTokens;

import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;

import tools.jackson.databind.JsonNode;

/**
 * inference-service's model list ({@code GET /v1/models}): the most completion tokens
 * each model may produce, the worst case of a request that names no max_tokens.
 */
@Component
class InferenceModelsClient {

    private final WebClient inference;

    private final IdentityTokens identityTokens;

    InferenceModelsClient(WebClient.Builder builder, GatewayProperties properties, IdentityTokens identityTokens) {
        this.inference = builder.clone().baseUrl(properties.upstreams().inference().toString()).build();
        this.identityTokens = identityTokens;
    }

    Map<String, Long> maxOutputTokens() {
        JsonNode models = inference.get()
            .uri("/v1/models")
            .headers(headers -> headers.setBearerAuth(identityTokens.forGatewayInference()))
            .retrieve()
            .bodyToMono(JsonNode.class)
            .block(Duration.ofSeconds(5));
        Map<String, Long> limits = new HashMap<>();
        for (JsonNode model : models == null ? List.<JsonNode>of() : models.path("data").valueStream().toList()) {
            if (model.path("id").isString() && model.path("max_output_tokens").canConvertToLong()
                    && model.path("max_output_tokens").asLong() > 0) {
                limits.put(model.get("id").asString(), model.get("max_output_tokens").asLong());
            }
        }
        return Map.copyOf(limits);
    }

}
