package io.tokenfactory.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.TreeSet;

import io.tokenfactory.testsupport.HttpTestClient;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

import tools.jackson.databind.JsonNode;

/**
 * The gateway's {@code /api/openapi.json}, merged from the descriptions of the gateway
 * and the four services, describes exactly the endpoints a client reaches through the
 * gateway: every one the abuse suite's table names (itself checked against every
 * controller), and no other; each operation with its credential and its problem
 * responses.
 */
class ApiDescriptionSystemTests {

    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options");

    @Test
    void theDescriptionNamesEveryRoutedEndpointAndNoOther() {
        WholeFactory factory = WholeFactory.get();

        ResponseEntity<JsonNode> answer = HttpTestClient.onPort(factory.gatewayPort).get("/api/openapi.json");

        assertThat(answer.getStatusCode()).isEqualTo(HttpStatus.OK);
        JsonNode description = answer.getBody();
        assertThat(description.at("/info/title").asString()).isEqualTo("Token Factory API");
        assertThat(description.at("/info/description").asString()).doesNotContain("Not answering");
        assertThat(description.at("/components/securitySchemes/apiKey/scheme").asString()).isEqualTo("bearer");
        Set<String> described = new TreeSet<>();
        description.get("paths").properties().forEach(path -> path.getValue().properties().forEach(operation -> {
            if (METHODS.contains(operation.getKey())) {
                described.add(operation.getKey().toUpperCase() + " " + placeholders(path.getKey()));
                assertThat(operation.getValue().path("tags").get(0).asString()).as(path.getKey()).isNotBlank();
            }
        }));
        Set<String> routed = new TreeSet<>();
        RoutedEndpoints.ALL.stream()
            // the gateway's fallback is no client's; the description does not describe
            // itself
            .filter(endpoint -> !"*".equals(endpoint.method()))
            .filter(endpoint -> !Set.of("/api/openapi.json", "/api/docs").contains(endpoint.gatewayPath()))
            .forEach(endpoint -> routed.add(endpoint.method() + " " + placeholders(endpoint.gatewayPath())));

        assertThat(described).as("described through the gateway").containsExactlyInAnyOrderElementsOf(routed);
        JsonNode chat = description.at("/paths/~1v1~1chat~1completions/post");
        assertThat(chat.at("/responses/default/content").has("application/problem+json")).isTrue();
        assertThat(chat.at("/requestBody")).isNotNull();
        // written for people where the generated text says too little: the OpenAI
        // endpoints
        assertThat(chat.at("/summary").asString()).isEqualTo("Create a chat completion (OpenAI-compatible)");
        assertThat(chat.at("/requestBody/content/application~1json/examples/chat/value").toString())
            .contains("byte-lm-moby");
        assertThat(chat.at("/responses/200/content").has("text/event-stream")).isTrue();
        assertThat(description
            .at("/paths/~1api~1billing~1departments/post/requestBody/content/application~1json/schema/$ref")
            .asString()).startsWith("#/components/schemas/billing.");
    }

    /** {@code /api/agents/{id}/runs/{runId}} → {@code /api/agents/{}/runs/{}}. */
    private static String placeholders(String path) {
        return path.replaceAll("\\{[^}]+\\}", "{}");
    }

}
