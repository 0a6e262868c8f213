package io.tokenfactory.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.SignedJWT;

import io.tokenfactory.gateway.GatewayIntegrationTest;
import io.tokenfactory.gateway.apikey.IssuedApiKey;
import io.tokenfactory.testsupport.HttpTestClient;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

import tools.jackson.databind.JsonNode;

class RoutingIntegrationTests extends GatewayIntegrationTest {

    @Test
    void forwardsWithASignedIdentityInsteadOfTheKeyAndDropsSpoofedIdentityHeaders() throws Exception {
        UUID department = UUID.randomUUID();
        IssuedApiKey key = departmentKey(department, "billing:read", "inference");

        ResponseEntity<JsonNode> response = http().withToken(key.secret())
            .getWithHeaders("/api/billing/statements?page=2",
                    Map.of("X-TF-Department-Id", UUID.randomUUID().toString(), "X-Department", "finance"));

        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(response.getBody().get("served").asString()).isEqualTo("GET /api/billing/statements?page=2");
        Map<String, String> received = upstream.lastHeaders("/api/billing/statements");
        assertThat(received).doesNotContainKeys("x-tf-department-id", "x-department");
        String identity = received.get("authorization").substring("Bearer ".length());
        assertThat(identity).doesNotContain(key.secret());

        SignedJWT jwt = SignedJWT.parse(identity);
        JWKSet published = JWKSet.parse(http().getText("/.well-known/jwks.json").getBody());
        assertThat(jwt.verify(new ECDSAVerifier((ECKey) published.getKeyByKeyId(jwt.getHeader().getKeyID())))).isTrue();
        assertThat(jwt.getJWTClaimsSet().getStringClaim("department_id")).isEqualTo(department.toString());
        assertThat(jwt.getJWTClaimsSet().getStringClaim("key_id")).isEqualTo(key.key().id().toString());
        assertThat(jwt.getJWTClaimsSet().getStringClaim("scope")).isEqualTo("billing:read inference");
        assertThat(jwt.getJWTClaimsSet().getIssuer()).isEqualTo("urn:tokenfactory:gateway");
        assertThat(jwt.getJWTClaimsSet().getExpirationTime()).isInTheFuture();
    }

    @Test
    void relaysAnAgentRunIdOnlyFromAKeyBoundToAnAgent() {
        UUID department = UUID.randomUUID();
        String run = UUID.randomUUID().toString();
        IssuedApiKey agentKey = apiKeys.issue(new io.tokenfactory.gateway.apikey.NewApiKey("agent", department,
                UUID.randomUUID(), java.util.Set.of("billing:read"), java.util.List.of(), null, null, null));
        IssuedApiKey personal = departmentKey(department, "billing:read");

        http().withToken(agentKey.secret())
            .getWithHeaders("/api/billing/statements?agent=1", Map.of("X-Agent-Run-Id", run));
        assertThat(upstream.lastHeaders("/api/billing/statements")).containsEntry("x-agent-run-id", run);
        http().withToken(personal.secret())
            .getWithHeaders("/api/billing/statements?agent=0", Map.of("X-Agent-Run-Id", run));
        assertThat(upstream.lastHeaders("/api/billing/statements")).doesNotContainKey("x-agent-run-id");
    }

    @Test
    void showsInferenceNodesToAnAdministratorOnly() {
        IssuedApiKey department = departmentKey(UUID.randomUUID(), "inference", "usage:read");

        ResponseEntity<JsonNode> admin = http().withToken(adminKey().secret()).get("/api/inference/nodes");
        ResponseEntity<JsonNode> refused = http().withToken(department.secret()).get("/api/inference/nodes");

        assertThat(admin.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(admin.getBody().get("served").asString()).isEqualTo("GET /api/inference/nodes");
        assertThat(refused.getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(refused.getHeaders().getContentType()).hasToString("application/problem+json");
    }

    @Test
    void answersWithServiceUnavailableWhenTheServiceIsDown() {
        ResponseEntity<JsonNode> response = http().withToken(adminKey().secret()).get("/api/agents");

        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
        assertThat(response.getHeaders().getFirst("Retry-After")).isEqualTo("5");
        assertThat(response.getHeaders().getContentType()).hasToString("application/problem+json");
        assertThat(response.getBody().get("code").asString()).isEqualTo("service_unavailable");
        assertThat(response.getBody().get("service").asString()).isEqualTo("agent-service");
    }

    @Test
    void answersWithGatewayTimeoutWhenTheServiceIsTooSlow() {
        upstream.release = new CompletableFuture<>();
        try {
            ResponseEntity<JsonNode> response = http().withToken(adminKey().secret()).get("/api/metering/slow");

            assertThat(response.getStatusCode()).isEqualTo(HttpStatus.GATEWAY_TIMEOUT);
            assertThat(response.getBody().get("code").asString()).isEqualTo("upstream_timeout");
            assertThat(response.getBody().get("service").asString()).isEqualTo("metering-service");
        }
        finally {
            upstream.release.complete(null);
        }
    }

    @Test
    void letsTheConsoleOriginCallTheApiFromABrowserAndNoOtherOrigin() throws Exception {
        HttpClient browser = HttpClient.newHttpClient();

        HttpResponse<String> console = browser.send(preflight("http://localhost:5173"),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> stranger = browser.send(preflight("https://evil.example"),
                HttpResponse.BodyHandlers.ofString());

        assertThat(console.statusCode()).isEqualTo(200);
        assertThat(console.headers().firstValue("Access-Control-Allow-Origin")).contains("http://localhost:5173");
        assertThat(stranger.statusCode()).isEqualTo(403);
        assertThat(stranger.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }

    private HttpRequest preflight(String origin) {
        return HttpRequest.newBuilder(URI.create("http://localhost:" + gatewayPort + "/v1/chat/completions"))
            .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header("Access-Control-Request-Headers", "authorization,content-type")
            .build();
    }

    @Test
    void retriesAFailedReadButNeverAWrite() {
        HttpTestClient admin = http().withToken(adminKey().secret());
        upstream.flakyCalls.set(0);

        assertThat(admin.get("/api/metering/flaky").getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(upstream.flakyCalls.get()).isEqualTo(2);

        upstream.flakyCalls.set(0);
        assertThat(admin.post("/api/metering/flaky", Map.of()).getStatusCode())
            .isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
        assertThat(upstream.flakyCalls.get()).isEqualTo(1);
    }

    @Test
    void passesServerSentEventsThroughChunkByChunk() throws Exception {
        upstream.release = new CompletableFuture<>();
        IssuedApiKey key = departmentKey(UUID.randomUUID(), "inference");
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + gatewayPort + "/v1/stream"))
            .header("Authorization", "Bearer " + key.secret())
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"stream\":true}"))
            .build();

        HttpResponse<java.io.InputStream> response = HttpClient.newHttpClient()
            .send(request, HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader events = new BufferedReader(
                new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            assertThat(response.statusCode()).isEqualTo(200);
            // the upstream holds the second event back until we have read the first
            // through the gateway
            assertThat(events.readLine()).isEqualTo("data: {\"chunk\":1}");
            upstream.release.complete(null);
            List<String> rest = events.lines().filter(line -> !line.isEmpty()).toList();
            assertThat(rest).containsExactly("data: {\"chunk\":2}", "data: [DONE]");
        }
    }

}
