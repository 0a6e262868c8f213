package io.tokenfactory.gateway.apikey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tokenfactory.contracts.AgentStateChanged;
import io.tokenfactory.gateway.GatewayIntegrationTest;
import io.tokenfactory.support.events.CloudEventMessages;
import io.tokenfactory.testsupport.HttpTestClient;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

import tools.jackson.databind.JsonNode;

class ApiKeyIntegrationTests extends GatewayIntegrationTest {

    @Autowired
    StreamBridge streamBridge;

    private HttpTestClient admin;

    private UUID department;

    @BeforeEach
    void setUp() {
        admin = http().withToken(adminKey().secret());
        department = UUID.randomUUID();
        upstream.knownDepartments.add(department);
    }

    @Test
    void issuesAKeyWhoseSecretIsShownOnceAndWorksAtOnce() {
        ResponseEntity<JsonNode> created = admin.post("/api/keys", Map.of("name", "research-bot", "departmentId",
                department, "scopes", List.of("inference"), "rpmLimit", 60, "tpmLimit", 10_000));

        assertThat(created.getStatusCode()).isEqualTo(HttpStatus.CREATED);
        String secret = created.getBody().get("secret").asString();
        String id = created.getBody().at("/key/id").asString();
        assertThat(secret).startsWith("tf_").hasSizeGreaterThan(40);
        assertThat(created.getHeaders().getLocation()).hasToString("/api/keys/" + id);
        assertThat(admin.get("/api/keys/" + id).getBody().toString()).doesNotContain(secret);
        assertThat(admin.get("/api/keys?departmentId=" + department).getBody().findValuesAsString("id"))
            .containsExactly(id);
        assertThat(admin.get("/api/keys/" + id).getBody().get("status").asString()).isEqualTo("ACTIVE");

        assertThat(http().withToken(secret).get("/v1/models").getStatusCode()).isEqualTo(HttpStatus.OK);
    }

    @Test
    void refusesUnknownRevokedAndExpiredKeys() {
        IssuedApiKey revoked = departmentKey(department, "inference");
        IssuedApiKey expired = departmentKey(department, "inference");
        assertThat(http().withToken(revoked.secret()).get("/v1/models").getStatusCode()).isEqualTo(HttpStatus.OK);

        assertThat(
                admin.post("/api/keys/" + revoked.key().id() + "/revoke", Map.of()).getBody().get("status").asString())
            .isEqualTo("REVOKED");
        assertThat(
                admin.put("/api/keys/" + expired.key().id() + "/expiry", Map.of()).getBody().get("status").asString())
            .isEqualTo("EXPIRED");

        for (String secret : List.of(revoked.secret(), expired.secret(), "tf_" + "x".repeat(43), "tf_" + "x".repeat(51),
                "not-a-key")) {
            ResponseEntity<JsonNode> refused = http().withToken(secret).get("/v1/models");
            assertThat(refused.getStatusCode()).as(secret).isEqualTo(HttpStatus.UNAUTHORIZED);
            assertThat(refused.getBody().get("code").asString()).isEqualTo("invalid_api_key");
            assertThat(refused.getBody().at("/error/code").asString()).isEqualTo("invalid_api_key");
        }
        assertThat(http().get("/v1/models").getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
    }

    @Test
    void rotatingReplacesTheSecretAtOnce() {
        IssuedApiKey key = departmentKey(department, "inference");

        ResponseEntity<JsonNode> rotated = admin.post("/api/keys/" + key.key().id() + "/rotate", Map.of());

        String newSecret = rotated.getBody().get("secret").asString();
        assertThat(newSecret).isNotEqualTo(key.secret());
        assertThat(http().withToken(key.secret()).get("/v1/models").getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
        assertThat(http().withToken(newSecret).get("/v1/models").getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(rotated.getBody().at("/key/rotatedAt").isNull()).isFalse();
    }

    @Test
    void refusesRoutesAndAdministrationOutsideTheKeysScopes() {
        IssuedApiKey readOnly = departmentKey(department, "usage:read");
        IssuedApiKey inference = departmentKey(department, "inference");

        assertThat(http().withToken(readOnly.secret()).get("/v1/models").getStatusCode())
            .isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(http().withToken(readOnly.secret()).get("/api/metering/usage").getStatusCode())
            .isEqualTo(HttpStatus.OK);
        ResponseEntity<JsonNode> notAdmin = http().withToken(inference.secret()).get("/api/keys");
        assertThat(notAdmin.getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(notAdmin.getBody().get("code").asString()).isEqualTo("forbidden");
    }

    @Test
    void aRetiredAgentsKeysStopWorkingWhenItsRetirementIsAnnounced() {
        UUID agent = UUID.randomUUID();
        IssuedApiKey agentKey = apiKeys.issue(
                new NewApiKey("agent", department, agent, java.util.Set.of("inference"), List.of(), null, null, null));
        IssuedApiKey person = departmentKey(department, "inference");
        assertThat(http().withToken(agentKey.secret()).get("/v1/models").getStatusCode()).isEqualTo(HttpStatus.OK);

        // paused: nothing changes; retired: the agent's keys are revoked, nobody else's
        publish(new AgentStateChanged(UUID.randomUUID(), Instant.now(), agent, department, "ACTIVE", "PAUSED",
                "manual"));
        publish(new AgentStateChanged(UUID.randomUUID(), Instant.now(), agent, department, "PAUSED", "RETIRED",
                "manual"));
        await().atMost(Duration.ofSeconds(20)).until(() -> apiKeys.get(agentKey.key().id()).revokedAt() != null);
        assertThat(http().withToken(agentKey.secret()).get("/v1/models").getStatusCode())
            .isEqualTo(HttpStatus.UNAUTHORIZED);
        assertThat(apiKeys.get(person.key().id()).revokedAt()).isNull();
        // announced again (redelivery): still revoked, nothing else touched
        publish(new AgentStateChanged(UUID.randomUUID(), Instant.now(), agent, department, "PAUSED", "RETIRED",
                "manual"));
        assertThat(http().withToken(person.secret()).get("/v1/models").getStatusCode()).isEqualTo(HttpStatus.OK);
    }

    private void publish(AgentStateChanged changed) {
        assertThat(streamBridge.send("tokenfactory.agent-state-changed",
                CloudEventMessages.toMessage(changed, "urn:tokenfactory:agent-service")))
            .isTrue();
    }

    @Test
    void anAddressGuessingKeysIsRefusedForTheRestOfTheMinuteWhateverKeyItPresents() throws Exception {
        // another loopback address than every other test's, so only this test's guesses
        // count against it
        String guesser = "127.0.0.2";
        IssuedApiKey valid = departmentKey(department, "inference");
        // the guesses and the refusal must fall into one minute
        await().atMost(Duration.ofSeconds(15))
            .until(() -> java.time.LocalTime.now(java.time.ZoneOffset.UTC).getSecond() < 50);
        for (int i = 0; i < 30; i++) {
            assertThat(rawGet(guesser, "/v1/models", "tf_guess-" + i)).startsWith("HTTP/1.1 401");
        }
        String refused = rawGet(guesser, "/v1/models", valid.secret());
        assertThat(refused).startsWith("HTTP/1.1 429")
            .contains("too_many_failed_authentications")
            .containsIgnoringCase("Retry-After:");
        // nobody else is affected
        assertThat(http().withToken(valid.secret()).get("/v1/models").getStatusCode()).isEqualTo(HttpStatus.OK);
        // requests without a key (health) are not guesses and still pass
        assertThat(rawGet(guesser, "/actuator/health/liveness", null)).startsWith("HTTP/1.1 200");
    }

    /**
     * A request from a chosen local address (the JDK's HTTP client cannot bind one), the
     * response's head and body.
     */
    private String rawGet(String fromAddress, String path, String key) throws java.io.IOException {
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.bind(new java.net.InetSocketAddress(fromAddress, 0));
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", gatewayPort), 5_000);
            socket.setSoTimeout(10_000);
            String request = "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                    + (key == null ? "" : "Authorization: Bearer " + key + "\r\n") + "\r\n";
            socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @Test
    void refusesAKeyForADepartmentBillingDoesNotKnowAndCreatesNothing() {
        UUID unknown = UUID.randomUUID();

        ResponseEntity<JsonNode> refused = admin.post("/api/keys",
                Map.of("name", "ghost", "departmentId", unknown, "scopes", List.of("inference")));

        assertThat(refused.getStatusCode()).isEqualTo(HttpStatus.UNPROCESSABLE_CONTENT);
        assertThat(refused.getBody().get("code").asString()).isEqualTo("unknown_department");
        assertThat(apiKeys.list(unknown)).isEmpty();
    }

    @Test
    void answersInvalidRequestsWithProblemDetails() {
        ResponseEntity<JsonNode> noName = admin.post("/api/keys",
                Map.of("departmentId", department, "scopes", List.of()));
        assertThat(noName.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(noName.getBody().get("code").asString()).isEqualTo("validation_failed");
        assertThat(noName.getBody().get("errors").findValuesAsString("field")).contains("name", "scopes");

        ResponseEntity<JsonNode> badScope = admin.post("/api/keys",
                Map.of("name", "x", "departmentId", department, "scopes", List.of("root")));
        assertThat(badScope.getStatusCode()).isEqualTo(HttpStatus.UNPROCESSABLE_CONTENT);
        assertThat(badScope.getBody().get("code").asString()).isEqualTo("invalid_scopes");

        ResponseEntity<JsonNode> noDepartment = admin.post("/api/keys",
                Map.of("name", "x", "scopes", List.of("inference")));
        assertThat(noDepartment.getBody().get("code").asString()).isEqualTo("department_required");

        ResponseEntity<JsonNode> past = admin.post("/api/keys", Map.of("name", "x", "departmentId", department,
                "scopes", List.of("inference"), "expiresAt", Instant.now().minusSeconds(60).toString()));
        assertThat(past.getBody().get("code").asString()).isEqualTo("invalid_expiry");

        assertThat(admin.postRaw("/api/keys", "{\"name\":").getBody().get("code").asString())
            .isEqualTo("malformed_body");
        assertThat(admin.get("/api/keys/" + UUID.randomUUID()).getBody().get("code").asString())
            .isEqualTo("api_key_not_found");
        assertThat(admin.get("/api/keys/not-a-uuid").getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
    }

    @Test
    void theFirstStartsAdminKeyIsInItsFileExpiresUnlessUsedAndIsAuditedWhenUsed() throws Exception {
        ApiKeyView bootstrap = apiKeys.list(null)
            .stream()
            .filter(key -> key.name().equals("bootstrap-admin"))
            .findFirst()
            .orElseThrow();
        assertThat(bootstrap.scopes()).containsExactly("admin");
        String secret = java.nio.file.Files.readString(BOOTSTRAP_KEY_FILE).strip();
        assertThat(java.nio.file.Files.getPosixFilePermissions(BOOTSTRAP_KEY_FILE)).containsExactlyInAnyOrder(
                java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
        assertThat(bootstrap.unusedBootstrap()).isTrue();
        assertThat(bootstrap.expiresAt()).isEqualTo(bootstrap.createdAt().plus(Duration.ofHours(24)));

        assertThat(http().withToken(secret).get("/api/me").getStatusCode()).isEqualTo(HttpStatus.OK);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            ApiKeyView used = apiKeys.get(bootstrap.id());
            assertThat(used.unusedBootstrap()).isFalse();
            assertThat(used.expiresAt()).isNull();
        });
        assertThat(admin.get("/api/audit?subject=" + bootstrap.id()).getBody().findValuesAsString("action"))
            .containsExactly("key.bootstrap-used", "key.bootstrap-issued");
    }

}
