package io.tokenfactory.gateway;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import io.tokenfactory.gateway.apikey.ApiKeys;
import io.tokenfactory.gateway.apikey.IssuedApiKey;
import io.tokenfactory.gateway.apikey.NewApiKey;
import io.tokenfactory.testsupport.HttpTestClient;
import io.tokenfactory.testsupport.ServiceIntegrationTest;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The gateway against {@link StubUpstream} for billing, metering and inference, and
 * against a closed port for agent-service. Every gateway test class extends this, so they
 * share one Spring context.
 */
@ServiceIntegrationTest
public abstract class GatewayIntegrationTest {

    public static final StubUpstream upstream = startUpstream();

    /** Where the first start writes its admin key (owner-only). */
    protected static final Path BOOTSTRAP_KEY_FILE = bootstrapKeyFile();

    @LocalServerPort
    protected int gatewayPort;

    @Autowired
    protected ApiKeys apiKeys;

    @DynamicPropertySource
    static void upstreams(DynamicPropertyRegistry registry) {
        gatewayProperties(registry, "http://localhost:" + closedPort());
    }

    /**
     * The settings of a gateway under test, with agent-service at this address (a closed
     * port for most tests: agent-service is down).
     */
    public static void gatewayProperties(DynamicPropertyRegistry registry, String agentService) {
        registry.add("tokenfactory.gateway.upstreams.billing", upstream::url);
        registry.add("tokenfactory.gateway.upstreams.metering", upstream::url);
        registry.add("tokenfactory.gateway.upstreams.inference", upstream::url);
        registry.add("tokenfactory.gateway.upstreams.agents", () -> agentService);
        registry.add("tokenfactory.gateway.response-timeout", () -> "PT1S");
        registry.add("tokenfactory.gateway.api-keys.pepper", () -> PEPPER);
        registry.add("tokenfactory.gateway.api-keys.bootstrap-admin-key-file", BOOTSTRAP_KEY_FILE::toString);
        registry.add("tokenfactory.gateway.limits.max-request-body", () -> "64KB");
        registry.add("tokenfactory.gateway.relayed-usage.flush-interval", () -> "PT0.2S");
        registry.add("tokenfactory.gateway.budgets.snapshot-interval", () -> "PT0.2S");
        registry.add("tokenfactory.gateway.budgets.tally-flush-interval", () -> "PT0.2S");
    }

    protected HttpTestClient http() {
        return HttpTestClient.onPort(gatewayPort);
    }

    protected IssuedApiKey adminKey() {
        return apiKeys.issue(new NewApiKey("test-admin", null, null, Set.of("admin"), List.of(), null, null, null));
    }

    protected IssuedApiKey departmentKey(UUID department, String... scopes) {
        return apiKeys.issue(new NewApiKey("test-key", department, null, Set.of(scopes), List.of(), null, null, null));
    }

    protected IssuedApiKey limitedKey(UUID department, Integer rpm, Long tpm, List<String> models) {
        return apiKeys
            .issue(new NewApiKey("limited-key", department, null, Set.of("inference"), models, rpm, tpm, null));
    }

    /** The key pepper of the gateway under test, for commands run beside it. */
    protected static final String PEPPER = "test-pepper-" + UUID.randomUUID();

    private static Path bootstrapKeyFile() {
        try {
            return Files.createTempDirectory("gateway-secrets").resolve("admin-key");
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static StubUpstream startUpstream() {
        return new StubUpstream();
    }

    private static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
