package io.tokenfactory.agents.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import io.tokenfactory.agents.definition.AgentCatalog;
import io.tokenfactory.agents.definition.AgentDefinition;
import io.tokenfactory.agents.tools.AgentTools.ToolResult;
import io.tokenfactory.testsupport.HttpTestClient;
import io.tokenfactory.testsupport.ServiceIntegrationTest;
import io.tokenfactory.testsupport.StubHttpServer;
import io.tokenfactory.testsupport.StubHttpServer.Response;
import io.tokenfactory.testsupport.TestTokens;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

import tools.jackson.databind.JsonNode;

/**
 * The built-in tools: http_get reaches only allow-listed hosts (the tests allow
 * {@code localhost}, see the pom) and never follows a redirect; memory survives between
 * calls; every bad call is a tool error, never an exception.
 */
@ServiceIntegrationTest
class AgentToolsIntegrationTests {

    @Autowired
    AgentTools tools;

    @Autowired
    AgentCatalog agents;

    StubHttpServer upstream;

    final AtomicInteger hits = new AtomicInteger();

    final List<String> posted = new java.util.concurrent.CopyOnWriteArrayList<>();

    @LocalServerPort
    int servicePort;

    @BeforeEach
    void startUpstream() {
        upstream = new StubHttpServer().route("/status", request -> {
            hits.incrementAndGet();
            return Response.of(200, "{\"queue\": 3}");
        }).route("/elsewhere", request -> {
            hits.incrementAndGet();
            return Response.of(302).header("Location", "http://example.org/");
        }).route("/tickets", request -> {
            hits.incrementAndGet();
            posted.add(request.body());
            return Response.of(201, "{\"ticket\": \"T-1\"}");
        });
    }

    @AfterEach
    void stopUpstream() {
        upstream.close();
    }

    @Test
    void httpGetCallsOnlyAllowListedHostsAndNeverFollowsARedirect() {
        int port = upstream.port();
        ToolResult allowed = tools.call(agent(), "http_get", "{\"url\": \"http://localhost:" + port + "/status\"}");
        assertThat(allowed.error()).isFalse();
        assertThat(allowed.content()).startsWith("HTTP 200").contains("\"queue\": 3");

        ToolResult byAddress = tools.call(agent(), "http_get", "{\"url\": \"http://127.0.0.1:" + port + "/status\"}");
        assertThat(byAddress.error()).isTrue();
        assertThat(byAddress.content()).contains("not on this agent's allow-list");
        ToolResult file = tools.call(agent(), "http_get", "{\"url\": \"file:///etc/passwd\"}");
        assertThat(file.error()).isTrue();
        ToolResult withCredentials = tools.call(agent(), "http_get",
                "{\"url\": \"http://user:pw@localhost:" + port + "/status\"}");
        assertThat(withCredentials.error()).isTrue();
        assertThat(hits.get()).isEqualTo(1);

        ToolResult redirect = tools.call(agent(), "http_get", "{\"url\": \"http://localhost:" + port + "/elsewhere\"}");
        assertThat(redirect.content()).startsWith("HTTP 302");
        assertThat(hits.get()).isEqualTo(2);
    }

    @Test
    void remembersAcrossCallsAndTurnsEveryBadCallIntoAToolError() {
        UUID agent = agent();
        assertThat(tools.call(agent, "remember", "{\"key\": \"last-ticket\", \"value\": \"T-4711\"}").error())
            .isFalse();
        assertThat(tools.call(agent, "recall", "{\"key\": \"last-ticket\"}").content()).isEqualTo("T-4711");
        assertThat(tools.call(agent, "recall", "{}").content()).isEqualTo("keys: last-ticket");
        assertThat(tools.call(agent(), "recall", "{\"key\": \"last-ticket\"}").content())
            .isEqualTo("nothing remembered under last-ticket");

        assertThat(tools.call(agent, "current_time", "{\"timeZone\": \"Europe/Berlin\"}").content()).contains("+0");
        assertThat(tools.call(agent, "current_time", "{\"timeZone\": \"Mars/Olympus\"}").error()).isTrue();
        assertThat(tools.call(agent, "remember", "{\"key\": \"x\"").error()).isTrue();
        assertThat(tools.call(agent, "remember", "{\"key\": \"\", \"value\": \"v\"}").error()).isTrue();
        assertThat(tools.call(agent, "rm_rf", "{}").content()).isEqualTo("error: no tool named 'rm_rf'");
        assertThat(tools.definitions(List.of("http_get", "recall"))
            .stream()
            .map(definition -> String.valueOf(((Map<?, ?>) definition.get("function")).get("name")))
            .toList()).containsExactly("http_get", "recall");
    }

    @Test
    void administratorsRegisterHttpToolsOnAllowListedHostsThatAgentsThenCall() {
        int port = upstream.port();
        String name = "open_ticket_" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, Object> tool = Map.of("name", name, "description", "Open a ticket in the service desk", "url",
                "http://localhost:" + port + "/tickets", "parameters", Map.of("type", "object", "properties",
                        Map.of("title", Map.of("type", "string")), "required", List.of("title")));
        HttpTestClient admin = HttpTestClient.onPort(servicePort).withToken(TestTokens.admin());
        UUID department = UUID.randomUUID();
        HttpTestClient departmentKey = HttpTestClient.onPort(servicePort)
            .withToken(TestTokens.department(department, "agents:read agents:write"));

        assertThat(departmentKey.post("/api/agents/tools", tool).getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        Map<String, Object> offList = new java.util.HashMap<>(tool);
        offList.put("url", "http://127.0.0.1:" + port + "/tickets");
        assertThat(admin.post("/api/agents/tools", offList).getBody().get("code").asString())
            .isEqualTo("host_not_allowed");
        Map<String, Object> builtIn = new java.util.HashMap<>(tool);
        builtIn.put("name", "http_get");
        assertThat(admin.post("/api/agents/tools", builtIn).getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(admin.post("/api/agents/tools", tool).getStatusCode()).isEqualTo(HttpStatus.CREATED);
        assertThat(admin.post("/api/agents/tools", tool).getStatusCode()).isEqualTo(HttpStatus.CONFLICT);
        assertThat(departmentKey.get("/api/agents/tools").getBody().findValuesAsString("name")).contains(name);

        // an agent may be given it; the model sees its schema; a call POSTs the arguments
        Map<String, Object> agent = Map.of("name", "desk", "model", "byte-lm-moby", "instructions", "Open tickets.",
                "tools", List.of(name, "recall"), "trigger", Map.of("kind", "MANUAL"));
        ResponseEntity<JsonNode> created = departmentKey.post("/api/agents", agent);
        assertThat(created.getStatusCode()).isEqualTo(HttpStatus.CREATED);
        Map<String, Object> unknown = new java.util.HashMap<>(agent);
        unknown.put("name", "desk-2");
        unknown.put("tools", List.of("open_ticket_nowhere"));
        assertThat(departmentKey.post("/api/agents", unknown).getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        Map<?, ?> function = (Map<?, ?>) tools.definitions(List.of(name)).get(0).get("function");
        assertThat(function.get("parameters").toString()).contains("title");

        ToolResult called = tools.call(UUID.fromString(created.getBody().get("id").asString()), name,
                "{\"title\": \"Printer on fire\"}");
        assertThat(called.error()).isFalse();
        assertThat(called.content()).startsWith("HTTP 201").contains("T-1");
        assertThat(posted).containsExactly("{\"title\":\"Printer on fire\"}");
        assertThat(admin.delete("/api/agents/tools/" + name).getStatusCode()).isEqualTo(HttpStatus.NO_CONTENT);
    }

    private UUID agent() {
        return agents.create(UUID.randomUUID(), "tools-" + UUID.randomUUID(),
                new AgentDefinition("byte-lm-moby", "Watch the queue.",
                        List.of("http_get", "remember", "recall", "current_time"), AgentDefinition.TriggerKind.MANUAL,
                        null, null, null, 5, 4000, 100, null, AgentDefinition.OverlapPolicy.SKIP))
            .id();
    }

}
