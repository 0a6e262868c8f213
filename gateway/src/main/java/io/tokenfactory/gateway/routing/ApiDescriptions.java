package io.tokenfactory.gateway.routing;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.tokenfactory.gateway.GatewayProperties;

import org.springframework.stereotype.Component;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.node.StringNode;

/**
 * The whole API as a client reaches it through the gateway, as one OpenAPI document: the
 * gateway's own description and each service's ({@code /v3/api-docs}, springdoc), their
 * paths as the routes expose them ({@code /api/dead-letters/<area>/…},
 * {@code /api/audit/<area>/…}), only what is routed, each operation tagged with its
 * service, operation ids and schemas prefixed with it so none collide. A service that
 * does not answer is left out and named in the description.
 */
@Component
public class ApiDescriptions {

    static final String SCHEMAS = "#/components/schemas/";

    /**
     * One service's description and how the gateway routes it.
     *
     * @param area the prefix of its operation ids and schema names
     * @param routed the path prefixes the gateway routes to it
     * @param areaRouted whether its dead letters and audit trail are routed under
     * {@code /api/<kind>/<area>}
     */
    record Source(String service, String area, URI docs, List<String> routed, boolean areaRouted) {
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final ApiDescriptionsClient client;

    private final List<Source> services;

    ApiDescriptions(ApiDescriptionsClient client, GatewayProperties properties) {
        this.client = client;
        GatewayProperties.Upstreams upstreams = properties.upstreams();
        this.services = List.of(
                new Source(RoutesConfiguration.INFERENCE, "inference", docs(upstreams.inference()),
                        List.of("/v1/", "/api/inference/"), true),
                new Source(RoutesConfiguration.AGENTS, "agents", docs(upstreams.agents()), List.of("/api/agents"),
                        true),
                new Source(RoutesConfiguration.METERING, "metering", docs(upstreams.metering()),
                        List.of("/api/metering/"), true),
                new Source(RoutesConfiguration.BILLING, "billing", docs(upstreams.billing()), List.of("/api/billing/"),
                        true));
    }

    /**
     * The merged document.
     * @param gatewayDocs where the gateway describes its own endpoints
     */
    public Mono<ObjectNode> merged(URI gatewayDocs) {
        List<Source> all = new ArrayList<>();
        all.add(new Source("gateway", "gateway", gatewayDocs, List.of("/"), false));
        all.addAll(services);
        return Flux.fromIterable(all)
            .concatMap(source -> client.read(source.docs()).map(document -> Map.entry(source, document)))
            .collectList()
            .map(ApiDescriptions::merge);
    }

    static ObjectNode merge(List<Map.Entry<Source, JsonNode>> described) {
        ObjectNode merged = JSON.createObjectNode();
        merged.put("openapi", "3.1.0");
        ObjectNode info = merged.putObject("info");
        info.put("title", "Token Factory API");
        info.put("version", "v1");
        merged.putArray("servers").addObject().put("url", "/").put("description", "the gateway");
        ObjectNode paths = merged.putObject("paths");
        ObjectNode components = merged.putObject("components");
        ObjectNode schemas = components.putObject("schemas");
        ObjectNode bearer = components.putObject("securitySchemes").putObject("apiKey");
        bearer.put("type", "http");
        bearer.put("scheme", "bearer");
        bearer.put("description", "An API key (tf_…) or, where single sign-on is set up, a person's access token "
                + "from the organisation's identity provider");
        merged.putArray("security").addObject().putArray("apiKey");
        ArrayNode tags = merged.putArray("tags");
        List<String> missing = new ArrayList<>();
        for (Map.Entry<Source, JsonNode> entry : described) {
            Source source = entry.getKey();
            JsonNode document = entry.getValue();
            if (!document.has("paths")) {
                missing.add(source.service());
                continue;
            }
            tags.addObject().put("name", source.service());
            ObjectNode prefixed = (ObjectNode) prefixSchemaReferences(document.deepCopy(), source.area() + ".");
            prefixed.path("components")
                .path("schemas")
                .properties()
                .forEach(schema -> schemas.set(source.area() + "." + schema.getKey(), schema.getValue()));
            prefixed.path("paths").properties().forEach(path -> {
                String routed = routedPath(source, path.getKey());
                if (routed != null && path.getValue() instanceof ObjectNode operations) {
                    operations.properties().forEach(operation -> {
                        if (operation.getValue() instanceof ObjectNode described1 && described1.has("responses")) {
                            described1.set("tags", JSON.createArrayNode().add(source.service()));
                            String id = described1.path("operationId").asString(operation.getKey());
                            described1.put("operationId", source.area() + "_" + id);
                        }
                    });
                    paths.set(routed, operations);
                }
            });
        }
        info.put("description", "Every endpoint a client reaches through the gateway, from the descriptions of the "
                + "gateway and the four services behind it." + (missing.isEmpty() ? ""
                        : " Not answering when this was read, so not described: " + String.join(", ", missing) + "."));
        return merged;
    }

    /**
     * Where a client reaches a service's path through the gateway; null where the gateway
     * routes no client to it.
     */
    static String routedPath(Source source, String path) {
        if (source.areaRouted()) {
            for (String kind : List.of("/api/dead-letters", "/api/audit")) {
                if (path.equals(kind) || path.startsWith(kind + "/")) {
                    return kind + "/" + source.area() + path.substring(kind.length());
                }
            }
        }
        for (String prefix : source.routed()) {
            if (path.startsWith(prefix) || path.equals(prefix.replaceAll("/$", ""))) {
                return path;
            }
        }
        return null;
    }

    /** Every {@code $ref} to a schema, renamed with the area's prefix. */
    static JsonNode prefixSchemaReferences(JsonNode node, String prefix) {
        if (node instanceof ObjectNode object) {
            for (String name : List.copyOf(object.propertyNames())) {
                JsonNode value = object.get(name);
                if ("$ref".equals(name) && value.isString() && value.asString().startsWith(SCHEMAS)) {
                    object.set(name,
                            StringNode.valueOf(SCHEMAS + prefix + value.asString().substring(SCHEMAS.length())));
                }
                else {
                    prefixSchemaReferences(value, prefix);
                }
            }
        }
        else if (node instanceof ArrayNode array) {
            array.forEach(element -> prefixSchemaReferences(element, prefix));
        }
        return node;
    }

    private static URI docs(URI upstream) {
        return upstream.resolve("/v3/api-docs");
    }

}
