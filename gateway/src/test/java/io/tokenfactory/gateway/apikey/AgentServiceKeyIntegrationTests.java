package io.tokenfactory.gateway.apikey;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import io.tokenfactory.gateway.GatewayIntegrationTest;
import io.tokenfactory.gateway.StubUpstream;
import io.tokenfactory.testsupport.HttpTestClient;
import io.tokenfactory.testsupport.ServiceIntegrationTest;
import io.tokenfactory.testsupport.StubHttpServer;
import io.tokenfactory.testsupport.StubHttpServer.Response;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import tools.jackson.databind.JsonNode;

/**
 * agent-service's own key, confined: it issues only inference keys of agents
 * agent-service owns, bound to the department agent-service says the agent belongs to,
 * and revokes only their keys. The gateway asks agent-service (a stub here) itself; the
 * request's word is not taken for the department.
 */
@ServiceIntegrationTest
class AgentServiceKeyIntegrationTests {

    private static final StubUpstream upstream = GatewayIntegrationTest.upstream;

    @LocalServerPort
    int gatewayPort;

    @Autowired
    ApiKeys apiKeys;

    /** agent-service's agents: id → [department, state]. */
    private static final Map<UUID, String[]> AGENTS = new ConcurrentHashMap<>();

    private static final StubHttpServer AGENT_SERVICE = new StubHttpServer().route("GET", "/api/agents/", request -> {
        String[] agent = AGENTS.get(UUID.fromString(request.path().substring("/api/agents/".length())));
        return agent == null ? Response.json(404, "{\"code\":\"agent_not_found\"}")
                : Response.json(200, "{\"id\":\"" + request.path().substring("/api/agents/".length())
                        + "\",\"departmentId\":\"" + agent[0] + "\",\"state\":\"" + agent[1] + "\",\"version\":1}");
    });

    @DynamicPropertySource
    static void gatewayWithAgentService(DynamicPropertyRegistry registry) {
        GatewayIntegrationTest.gatewayProperties(registry, AGENT_SERVICE.url());
    }

    private HttpTestClient http() {
        return HttpTestClient.onPort(gatewayPort);
    }

    private IssuedApiKey departmentKey(UUID department, String scope) {
        return apiKeys.issue(new NewApiKey("person", department, null, Set.of(scope), List.of(), null, null, null));
    }

    private HttpTestClient agentService;

    private UUID department;

    private UUID agent;

    @BeforeEach
    void setUp() {
        department = UUID.randomUUID();
        upstream.knownDepartments.add(department);
        agent = UUID.randomUUID();
        AGENTS.put(agent, new String[] { department.toString(), "ACTIVE" });
        agentService = http().withToken(apiKeys
            .issue(new NewApiKey("agent-service", null, null, Set.of("agent-keys"), List.of(), null, null, null))
            .secret());
    }

    @Test
    void issuesAndRevokesInferenceKeysOfItsOwnAgentsOnly() {
        ResponseEntity<JsonNode> agentKey = agentService.post("/api/keys",
                Map.of("name", "agent", "departmentId", department, "agentId", agent, "scopes", List.of("inference")));
        assertThat(agentKey.getStatusCode()).isEqualTo(HttpStatus.CREATED);
        assertThat(agentKey.getBody().at("/key/agentId").asString()).isEqualTo(agent.toString());
        assertThat(http().withToken(agentKey.getBody().get("secret").asString()).get("/v1/models").getStatusCode())
            .isEqualTo(HttpStatus.OK);

        // no key of a person, no other scope, no listing, no revoking of others' keys
        assertThat(agentService
            .post("/api/keys", Map.of("name", "person", "departmentId", department, "scopes", List.of("inference")))
            .getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(
                agentService
                    .post("/api/keys",
                            Map.of("name", "admin", "departmentId", department, "agentId", agent, "scopes",
                                    List.of("inference", "usage:read")))
                    .getStatusCode())
            .isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(agentService.get("/api/keys").getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        IssuedApiKey person = departmentKey(department, "inference");
        assertThat(agentService.post("/api/keys/" + person.key().id() + "/revoke", Map.of()).getStatusCode())
            .isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(agentService.post("/api/keys/" + person.key().id() + "/rotate", Map.of()).getStatusCode())
            .isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(apiKeys.get(person.key().id()).revokedAt()).isNull();

        String agentKeyId = agentKey.getBody().at("/key/id").asString();
        assertThat(agentService.post("/api/keys/" + agentKeyId + "/revoke", Map.of()).getStatusCode())
            .isEqualTo(HttpStatus.OK);
        assertThat(apiKeys.get(UUID.fromString(agentKeyId)).revokedAt()).isNotNull();
    }

    @Test
    void isRefusedForAForeignDepartmentAnUnknownAgentOrARetiredOne() {
        UUID foreignDepartment = UUID.randomUUID();
        upstream.knownDepartments.add(foreignDepartment);

        ResponseEntity<JsonNode> foreign = agentService.post("/api/keys", Map.of("name", "agent", "departmentId",
                foreignDepartment, "agentId", agent, "scopes", List.of("inference")));
        assertThat(foreign.getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(foreign.getBody().get("code").asString()).isEqualTo("agent_not_owned");

        ResponseEntity<JsonNode> unknown = agentService.post("/api/keys", Map.of("name", "agent", "departmentId",
                department, "agentId", UUID.randomUUID(), "scopes", List.of("inference")));
        assertThat(unknown.getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(unknown.getBody().get("code").asString()).isEqualTo("agent_not_owned");

        AGENTS.put(agent, new String[] { department.toString(), "RETIRED" });
        assertThat(agentService
            .post("/api/keys",
                    Map.of("name", "agent", "departmentId", department, "agentId", agent, "scopes",
                            List.of("inference")))
            .getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);

        // an administrator's key for an agent of another department: agent-service may
        // not
        // revoke it
        IssuedApiKey elsewhere = apiKeys
            .issue(new NewApiKey("agent", foreignDepartment, agent, Set.of("inference"), List.of(), null, null, null));
        assertThat(agentService.post("/api/keys/" + elsewhere.key().id() + "/revoke", Map.of()).getStatusCode())
            .isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(apiKeys.get(elsewhere.key().id()).revokedAt()).isNull();
        assertThat(apiKeys.list(foreignDepartment)).hasSize(1);
    }

}
