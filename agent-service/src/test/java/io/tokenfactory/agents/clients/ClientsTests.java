package io.tokenfactory.agents.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import io.tokenfactory.agents.AgentProperties;
import io.tokenfactory.testsupport.StubHttpServer;
import io.tokenfactory.testsupport.StubHttpServer.Response;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.web.client.RestClient;

/**
 * agent-service's clients against a stub: what they send, and their failure paths
 * (timeouts, an open circuit).
 */
class ClientsTests {

    private final StubHttpServer stub = new StubHttpServer();

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @AfterEach
    void stop() {
        stub.close();
    }

    private AgentProperties properties(Map<String, String> settings) {
        Map<String, String> all = new HashMap<>(Map.of("tokenfactory.agents.gateway.url", stub.url(),
                "tokenfactory.agents.billing-url", stub.url(), "tokenfactory.agents.runs.request-timeout", "PT0.3S"));
        all.putAll(settings);
        return new Binder(new MapConfigurationPropertySource(all)).bindOrCreate("tokenfactory.agents",
                AgentProperties.class);
    }

    private GatewayClient gateway(Map<String, String> settings) {
        return new GatewayClient(RestClient.builder(), new Resilience(meters), properties(settings));
    }

    @Test
    void aChatCompletionCarriesTheAgentsKeyAndTheRunAndComesBackWhateverItsStatus() {
        stub.route("POST", "/v1/chat/completions", request -> Response.json(503, "{\"error\":{\"message\":\"busy\"}}"));
        UUID run = UUID.randomUUID();

        GatewayClient.Answer answer = gateway(Map.of()).chatCompletion("tf_agent_key", run, "{\"model\":\"m\"}");

        assertThat(answer.status()).isEqualTo(503);
        assertThat(answer.body()).contains("busy");
        StubHttpServer.Request sent = stub.requests().get(0);
        assertThat(sent.header("authorization")).isEqualTo("Bearer tf_agent_key");
        assertThat(sent.header("x-agent-run-id")).isEqualTo(run.toString());
        assertThat(sent.body()).isEqualTo("{\"model\":\"m\"}");
    }

    @Test
    void answersOfAnyStatusNeverOpenTheCircuit() {
        stub.route("POST", "/v1/chat/completions", request -> Response.json(502, "{}"));
        GatewayClient gateway = gateway(Map.of());
        for (int i = 0; i < 12; i++) {
            assertThat(gateway.chatCompletion("key", UUID.randomUUID(), "{}").status()).isEqualTo(502);
        }
        assertThat(stub.requests()).hasSize(12);
    }

    @Test
    void aGatewayThatStopsAnsweringTimesOutThenItsCircuitOpensAndCallsFailFast() {
        stub.route("POST", "/v1/chat/completions", request -> {
            Thread.sleep(2_000);
            return Response.json(200, "{}");
        });
        GatewayClient gateway = gateway(Map.of());
        for (int i = 0; i < 5; i++) {
            assertThatThrownBy(() -> gateway.chatCompletion("key", UUID.randomUUID(), "{}"))
                .isInstanceOfSatisfying(GatewayClient.Unreachable.class, e -> assertThat(e.timedOut()).isTrue());
        }
        long start = System.nanoTime();
        assertThatThrownBy(() -> gateway.chatCompletion("key", UUID.randomUUID(), "{}"))
            .isInstanceOf(GatewayClient.Unreachable.class)
            .hasMessageContaining("circuit is open");
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(250);
        assertThat(stub.requests()).hasSize(5);
        assertThat(meters.get("tokenfactory.agents.client.circuit.open").tag("downstream", "gateway").gauge().value())
            .isEqualTo(1.0);
    }

    @Test
    void keyCallsUseAgentServicesOwnKeyAndRefuseToStartWithoutOne() {
        stub.route("POST", "/api/keys", request -> Response.json(201, "{\"secret\":\"s\"}"));

        assertThatThrownBy(() -> gateway(Map.of()).postWithServiceKey("/api/keys", "{}"))
            .isInstanceOf(GatewayClient.Unreachable.class)
            .hasMessageContaining("TF_AGENT_SERVICE_KEY_FILE");
        assertThat(stub.requests()).isEmpty();

        GatewayClient.Answer answer = gateway(Map.of("tokenfactory.agents.gateway.service-key", "tf_service"))
            .postWithServiceKey("/api/keys", "{}");
        assertThat(answer.status()).isEqualTo(201);
        assertThat(stub.requests().get(0).header("authorization")).isEqualTo("Bearer tf_service");
    }

    @Test
    void billingIsAskedWithTheCallersTokenAndAnUnreachableBillingIsSaidSo() {
        stub.route("GET", "/api/billing/agent-runs/", request -> Response.json(200, "{\"costUsd\":\"0.01\"}"));
        BillingClient billing = new BillingClient(RestClient.builder(), new Resilience(meters), properties(Map.of()));
        UUID run = UUID.randomUUID();

        BillingClient.Answer answer = billing.agentRunCharges(run, "caller-token");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(stub.requests().get(0).path()).isEqualTo("/api/billing/agent-runs/" + run);
        assertThat(stub.requests().get(0).header("authorization")).isEqualTo("Bearer caller-token");

        BillingClient unreachable = new BillingClient(RestClient.builder(), new Resilience(meters),
                properties(Map.of("tokenfactory.agents.billing-url", "http://127.0.0.1:9")));
        assertThatThrownBy(() -> unreachable.agentRunCharges(run, "caller-token"))
            .isInstanceOf(BillingClient.Unreachable.class);
    }

}
