package io.tokenfactory.gateway.routing.web;

import java.net.URI;

import io.swagger.v3.oas.annotations.Hidden;
import io.tokenfactory.gateway.routing.ApiDescriptions;

import org.springframework.core.env.Environment;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import reactor.core.publisher.Mono;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code GET /api/openapi.json}: the whole API as clients reach it through the gateway
 * (public: it describes, it grants nothing); {@code GET /api/docs}: Swagger UI over it.
 */
@Hidden
@RestController
class ApiDocsController {

    /** Where springdoc describes the gateway's own endpoints (application.yml). */
    static final String GATEWAY_DOCS = "/api/docs/gateway-api-docs";

    private final ApiDescriptions descriptions;

    private final Environment environment;

    ApiDocsController(ApiDescriptions descriptions, Environment environment) {
        this.descriptions = descriptions;
        this.environment = environment;
    }

    @GetMapping(path = "/api/openapi.json", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<ObjectNode> openApi() {
        // the gateway's own description, read from this very process
        String port = environment.getProperty("local.server.port", environment.getProperty("server.port", "8080"));
        return descriptions.merged(URI.create("http://127.0.0.1:" + port + GATEWAY_DOCS));
    }

    @GetMapping("/api/docs")
    ResponseEntity<Void> swaggerUi() {
        return ResponseEntity.status(HttpStatus.FOUND)
            .header(HttpHeaders.LOCATION, "/api/docs/swagger-ui/index.html")
            .build();
    }

}
