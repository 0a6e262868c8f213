package io.tokenfactory.gateway.apikey;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import io.tokenfactory.gateway.GatewayIntegrationTest;
import io.tokenfactory.testsupport.HttpTestClient;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Cost tags below the department: a key carries team, project and the keys an
 * administrator allows; every request it makes carries them in its identity token (so its
 * usage does); agent-service sets its agents' keys' tags and nobody else's; and a tag
 * against the rules is refused with the rule it broke, changing nothing.
 */
class CostTagsIntegrationTests extends GatewayIntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private HttpTestClient admin;

    private UUID department;

    @BeforeEach
    void setUp() {
        admin = http().withToken(adminKey().secret());
        department = UUID.randomUUID();
        upstream.knownDepartments.add(department);
    }

    @Test
    void aKeysTagsTravelWithEveryRequestItMakesAndChangeWithTheKey() {
        allow("costcode");
        ResponseEntity<JsonNode> created = admin.post("/api/keys",
                Map.of("name", "search team", "departmentId", department, "scopes", List.of("inference"), "tags",
                        Map.of("team", " search ", "project", "rag", "costcode", "CC-7")));
        assertThat(created.getStatusCode()).isEqualTo(HttpStatus.CREATED);
        // trimmed and kept
        assertThat(created.getBody().at("/key/tags")).hasSize(3);
        assertThat(created.getBody().at("/key/tags/team").asString()).isEqualTo("search");
        String secret = created.getBody().get("secret").asString();
        String id = created.getBody().at("/key/id").asString();

        assertThat(tagsSentUpstream(secret)).isEqualTo(Map.of("team", "search", "project", "rag", "costcode", "CC-7"));

        ResponseEntity<JsonNode> retagged = admin.put("/api/keys/" + id + "/tags",
                Map.of("tags", Map.of("team", "ranking")));
        assertThat(retagged.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(retagged.getBody().get("tags").get("team").asString()).isEqualTo("ranking");
        assertThat(tagsSentUpstream(secret)).isEqualTo(Map.of("team", "ranking"));

        // no tags: no claim at all
        admin.put("/api/keys/" + id + "/tags", Map.of("tags", Map.of()));
        assertThat(tagsSentUpstream(secret)).isEmpty();
    }

    @Test
    void tagsAgainstTheRulesAreRefusedAndChangeNothing() {
        allow();
        Map<String, Map<String, String>> refusals = Map.of("tag_not_allowed", Map.of("costcode", "CC-7"), "invalid_tag",
                Map.of("Team!", "x"));
        refusals.forEach((code, tags) -> {
            ResponseEntity<JsonNode> refused = admin.post("/api/keys",
                    Map.of("name", "k", "departmentId", department, "scopes", List.of("inference"), "tags", tags));
            assertThat(refused.getStatusCode()).as(code).isEqualTo(HttpStatus.UNPROCESSABLE_CONTENT);
            assertThat(refused.getBody().get("code").asString()).isEqualTo(code);
        });
        ResponseEntity<JsonNode> tooLong = admin.post("/api/keys", Map.of("name", "k", "departmentId", department,
                "scopes", List.of("inference"), "tags", Map.of("team", "x".repeat(101))));
        assertThat(tooLong.getStatusCode()).isEqualTo(HttpStatus.UNPROCESSABLE_CONTENT);
        assertThat(admin.get("/api/keys?departmentId=" + department).getBody()).isEmpty();

        // only an administrator sets the rules; a bad key name is refused
        IssuedApiKey keysAdmin = apiKeys
            .issue(new NewApiKey("keys admin", null, null, Set.of("keys:admin"), List.of(), null, null, null));
        assertThat(http().withToken(keysAdmin.secret())
            .put("/api/tags/allowed-keys", Map.of("keys", List.of("costcode")))
            .getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(http().withToken(keysAdmin.secret()).get("/api/tags").getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(admin.put("/api/tags/allowed-keys", Map.of("keys", List.of("Cost Code"))).getStatusCode())
            .isEqualTo(HttpStatus.UNPROCESSABLE_CONTENT);
        JsonNode rules = admin.get("/api/tags").getBody();
        assertThat(rules.get("alwaysAllowed")).extracting(JsonNode::asString).containsExactly("project", "team");
        assertThat(rules.get("allowedKeys")).isEmpty();
    }

    @Test
    void agentServiceSetsItsAgentsKeysTagsAndNoOtherKeys() {
        IssuedApiKey agentService = apiKeys
            .issue(new NewApiKey("agent-service", null, null, Set.of("agent-keys"), List.of(), null, null, null));
        IssuedApiKey agentKey = apiKeys.issue(new NewApiKey("agent", department, UUID.randomUUID(), Set.of("inference"),
                List.of(), null, null, null));
        IssuedApiKey personKey = departmentKey(department, "inference");
        HttpTestClient service = http().withToken(agentService.secret());

        assertThat(service.put("/api/keys/" + agentKey.key().id() + "/tags", Map.of("tags", Map.of("team", "bots")))
            .getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(tagsSentUpstream(agentKey.secret())).isEqualTo(Map.of("team", "bots"));
        assertThat(service.put("/api/keys/" + personKey.key().id() + "/tags", Map.of("tags", Map.of("team", "x")))
            .getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(apiKeys.get(personKey.key().id()).tags()).isEmpty();
    }

    private void allow(String... keys) {
        assertThat(admin.put("/api/tags/allowed-keys", Map.of("keys", List.of(keys))).getStatusCode())
            .isEqualTo(HttpStatus.OK);
    }

    /**
     * The tags claim of the identity token the key's next request reached inference with.
     */
    private Map<String, String> tagsSentUpstream(String secret) {
        assertThat(http().withToken(secret).get("/v1/models/tf-tiny").getStatusCode()).isEqualTo(HttpStatus.OK);
        String token = upstream.lastHeaders("/v1/models/tf-tiny").get("authorization").substring("Bearer ".length());
        JsonNode claims = JSON
            .readTree(new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8));
        Map<String, String> tags = new java.util.TreeMap<>();
        claims.path("tags").properties().forEach(tag -> tags.put(tag.getKey(), tag.getValue().asString()));
        return tags;
    }

}
