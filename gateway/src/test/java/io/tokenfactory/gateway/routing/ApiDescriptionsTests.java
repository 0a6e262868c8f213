package io.tokenfactory.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * How the services' descriptions become the gateway's: paths as the routes expose them,
 * only what is routed, names that cannot collide, a missing service said.
 */
class ApiDescriptionsTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final ApiDescriptions.Source BILLING = new ApiDescriptions.Source("billing-service", "billing",
            URI.create("http://billing/v3/api-docs"), List.of("/api/billing/"), true);

    private static final ApiDescriptions.Source INFERENCE = new ApiDescriptions.Source("inference-service", "inference",
            URI.create("http://inference/v3/api-docs"), List.of("/v1/", "/api/inference/"), false);

    @Test
    void pathsAreWhereTheGatewayRoutesThem() {
        assertThat(ApiDescriptions.routedPath(BILLING, "/api/billing/departments"))
            .isEqualTo("/api/billing/departments");
        assertThat(ApiDescriptions.routedPath(BILLING, "/api/dead-letters/{id}/replay"))
            .isEqualTo("/api/dead-letters/billing/{id}/replay");
        assertThat(ApiDescriptions.routedPath(BILLING, "/api/audit")).isEqualTo("/api/audit/billing");
        // not routed to clients: left out
        assertThat(ApiDescriptions.routedPath(INFERENCE, "/api/audit")).isNull();
        assertThat(ApiDescriptions.routedPath(INFERENCE, "/internal/thing")).isNull();
        assertThat(ApiDescriptions.routedPath(INFERENCE, "/v1/chat/completions")).isEqualTo("/v1/chat/completions");
    }

    @Test
    void operationsAndSchemasTakeTheirServicesNameAndAMissingServiceIsSaid() {
        JsonNode billing = JSON.readTree("""
                {"paths": {"/api/billing/departments": {"post": {"operationId": "create", "responses": {},
                  "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/New"}}}}}}},
                 "components": {"schemas": {"New": {"type": "object"}}}}""");

        ObjectNode merged = ApiDescriptions
            .merge(List.of(Map.entry(BILLING, billing), Map.entry(INFERENCE, JSON.missingNode())));

        JsonNode post = merged.at("/paths/~1api~1billing~1departments/post");
        assertThat(post.get("operationId").asString()).isEqualTo("billing_create");
        assertThat(post.get("tags").get(0).asString()).isEqualTo("billing-service");
        assertThat(post.at("/requestBody/content/application~1json/schema/$ref").asString())
            .isEqualTo("#/components/schemas/billing.New");
        assertThat(merged.at("/components/schemas").has("billing.New")).isTrue();
        assertThat(merged.at("/info/description").asString()).contains("not described: inference-service");
    }

}
