package io.tokenfactory.gateway.routing;

import java.net.URI;
import java.time.Duration;

import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;

import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads an OpenAPI description (a service's {@code /v3/api-docs}, the gateway's own):
 * five seconds at most; one that does not answer, or answers something else, is missing.
 */
@Component
class ApiDescriptionsClient {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final WebClient http = WebClient.create();

    Mono<JsonNode> read(URI description) {
        return http.get()
            .uri(description)
            .retrieve()
            .bodyToMono(String.class)
            .timeout(Duration.ofSeconds(5))
            .map(body -> (JsonNode) JSON.readTree(body))
            .onErrorResume(unavailable -> Mono.just(JSON.missingNode()));
    }

}
