package io.tokenfactory.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.tokenfactory.testsupport.HttpTestClient;
import io.tokenfactory.testsupport.OperationsEndpointsContract;
import io.tokenfactory.testsupport.ServiceIntegrationTest;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import tools.jackson.databind.JsonNode;

/**
 * The gateway in front of stand-in services: a stub that answers (billing), one that is too slow (metering) and
 * one that is not running at all (agents, inference).
 */
@ServiceIntegrationTest
class RoutingIntegrationTests extends OperationsEndpointsContract {

    private static final List<String> upstreamRequests = new CopyOnWriteArrayList<>();
    private static HttpServer upstream;

    @LocalServerPort
    int gatewayPort;

    @DynamicPropertySource
    static void upstreams(DynamicPropertyRegistry registry) throws IOException {
        upstream = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
        upstream.setExecutor(Executors.newCachedThreadPool());
        upstream.createContext("/api/billing/", RoutingIntegrationTests::answer);
        upstream.createContext("/api/metering/", exchange -> {
            try {
                Thread.sleep(3_000); // longer than the gateway's response timeout below
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            answer(exchange);
        });
        upstream.start();
        String stub = "http://localhost:" + upstream.getAddress().getPort();
        String nobody = "http://localhost:" + closedPort();
        registry.add("tokenfactory.gateway.upstreams.billing", () -> stub);
        registry.add("tokenfactory.gateway.upstreams.metering", () -> stub);
        registry.add("tokenfactory.gateway.upstreams.agents", () -> nobody);
        registry.add("tokenfactory.gateway.upstreams.inference", () -> nobody);
        registry.add("tokenfactory.gateway.response-timeout", () -> "PT1S");
    }

    @AfterAll
    static void stopUpstream() {
        upstream.stop(0);
    }

    @Test
    void forwardsAdminApiCallsToTheOwningServiceWithPathAndQuery() {
        ResponseEntity<JsonNode> response = http().get("/api/billing/departments?page=2");

        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(response.getBody().get("served").asString()).isEqualTo("GET /api/billing/departments?page=2");
        assertThat(upstreamRequests).contains("GET /api/billing/departments?page=2");
    }

    @Test
    void answersWithServiceUnavailableWhenTheServiceIsDown() {
        for (String path : List.of("/api/agents", "/v1/models")) {
            ResponseEntity<JsonNode> response = http().get(path);

            assertThat(response.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
            assertThat(response.getHeaders().getFirst("Retry-After")).isEqualTo("5");
            assertThat(response.getHeaders().getContentType()).hasToString("application/problem+json");
            assertThat(response.getBody().get("code").asString()).isEqualTo("service_unavailable");
        }
    }

    @Test
    void answersWithGatewayTimeoutWhenTheServiceIsTooSlow() {
        ResponseEntity<JsonNode> response = http().get("/api/metering/usage");

        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.GATEWAY_TIMEOUT);
        assertThat(response.getBody().get("code").asString()).isEqualTo("upstream_timeout");
        assertThat(response.getBody().get("service").asString()).isEqualTo("metering-service");
    }

    private HttpTestClient http() {
        return HttpTestClient.onPort(gatewayPort);
    }

    private static void answer(HttpExchange exchange) throws IOException {
        String served = exchange.getRequestMethod() + " " + exchange.getRequestURI();
        upstreamRequests.add(served);
        byte[] body = ("{\"served\":\"" + served + "\"}").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
