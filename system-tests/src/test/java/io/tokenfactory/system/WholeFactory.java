package io.tokenfactory.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import io.tokenfactory.testsupport.FreePorts;
import io.tokenfactory.agents.AgentServiceApplication;
import io.tokenfactory.billing.BillingServiceApplication;
import io.tokenfactory.billing.department.BudgetPolicy;
import io.tokenfactory.billing.department.DepartmentCatalog;
import io.tokenfactory.gateway.GatewayApplication;
import io.tokenfactory.gateway.apikey.ApiKeys;
import io.tokenfactory.gateway.apikey.NewApiKey;
import io.tokenfactory.inference.InferenceServiceApplication;
import io.tokenfactory.metering.MeteringServiceApplication;
import io.tokenfactory.simulated.SimulatedGpuNode;
import io.tokenfactory.support.security.IdentityClaims;
import io.tokenfactory.testsupport.HttpTestClient;
import io.tokenfactory.testsupport.TestInfrastructure;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

import tools.jackson.databind.JsonNode;

/**
 * The five real services in this JVM, wired to each other as in production, started once
 * for the test classes that need all of them (the console in a browser, the abuse suite)
 * and stopped when the JVM ends.
 */
final class WholeFactory {

    private static WholeFactory running;

    final RunningService billing;

    final RunningService inference;

    final RunningService metering;

    final RunningService agents;

    final RunningService gateway;

    /**
     * A SIMULATED GPU node: inference serves simulated-llm from it and reads its
     * DCGM-format exporter.
     */
    final SimulatedGpuNode gpuNode;

    final int gatewayPort;

    final String adminKey;

    /**
     * The organisation's identity provider: the gateway takes its people's tokens (group
     * {@code tf-admins}: administrators; {@code tf-research} and {@code tf-support}: the
     * members of {@link #ssoResearch} and {@link #ssoSupport}).
     */
    final TestIdentityProvider identityProvider;

    final UUID ssoResearch;

    final UUID ssoSupport;

    private final List<RunningService> services = new ArrayList<>();

    private WholeFactory() throws IOException {
        Path secrets = Files.createTempDirectory("tf-factory-secrets");
        gatewayPort = freePort();
        String gatewayUrl = "http://localhost:" + gatewayPort;
        String jwks = "spring.security.oauth2.resourceserver.jwt.jwk-set-uri=" + gatewayUrl + "/.well-known/jwks.json";
        gpuNode = SimulatedGpuNode.start(SimulatedGpuNode.Settings.defaults().withGpus(2));
        identityProvider = TestIdentityProvider.start();
        billing = start(BillingServiceApplication.class, "billing-service", jwks);
        // the departments the provider's groups map to, known before the gateway starts
        // with that mapping
        String run = UUID.randomUUID().toString().substring(0, 6);
        DepartmentCatalog departments = billing.bean(DepartmentCatalog.class);
        ssoResearch = departments.create("SSO Research " + run, "SSO-R-" + run, BudgetPolicy.NONE).id();
        ssoSupport = departments.create("SSO Support " + run, "SSO-S-" + run, BudgetPolicy.NONE).id();
        // the demo's profile: the local node and models, and simulated-llm on the
        // simulated GPU node
        inference = start(InferenceServiceApplication.class, "inference-service", jwks,
                "spring.profiles.active=simulated-gpu-node",
                "TF_SIMULATED_GPU_NODE_URL=http://127.0.0.1:" + gpuNode.port());
        metering = start(MeteringServiceApplication.class, "metering-service", jwks,
                "tokenfactory.metering.inference-url=http://localhost:" + inference.port(),
                "tokenfactory.metering.billing-url=http://localhost:" + billing.port());
        agents = start(AgentServiceApplication.class, "agent-service", jwks,
                "tokenfactory.agents.gateway.url=" + gatewayUrl,
                "tokenfactory.agents.gateway.service-key-file=" + secrets.resolve("agent-service-key"),
                "tokenfactory.agents.credentials.encryption-key-file=" + secrets.resolve("credentials-key"),
                "tokenfactory.agents.billing-url=http://localhost:" + billing.port());
        gateway = start(GatewayApplication.class, "gateway", "spring.main.web-application-type=reactive",
                "server.port=" + gatewayPort,
                "tokenfactory.gateway.upstreams.inference=http://localhost:" + inference.port(),
                "tokenfactory.gateway.upstreams.billing=http://localhost:" + billing.port(),
                "tokenfactory.gateway.upstreams.metering=http://localhost:" + metering.port(),
                "tokenfactory.gateway.upstreams.agents=http://localhost:" + agents.port(),
                "tokenfactory.gateway.api-keys.pepper=system-test-pepper-" + UUID.randomUUID(),
                "tokenfactory.gateway.api-keys.agent-service-key-file=" + secrets.resolve("agent-service-key"),
                // the abuse suite presents many wrong keys from this one address on
                // purpose; the brute-force guard
                // has its own test in the gateway
                "tokenfactory.gateway.limits.failed-authentications-per-minute=1000",
                "tokenfactory.gateway.sso.issuer-uri=" + identityProvider.issuer(),
                "tokenfactory.gateway.sso.client-id=" + TestIdentityProvider.CONSOLE_CLIENT,
                "tokenfactory.gateway.sso.group-scopes=tf-admins=admin",
                "tokenfactory.gateway.sso.group-departments=tf-research=" + ssoResearch + ";tf-support=" + ssoSupport);
        identityProvider.allowConsole("http://localhost:" + gatewayPort + "/console/");
        adminKey = gateway.bean(ApiKeys.class)
            .issue(new NewApiKey("system-test-admin", null, null, Set.of(IdentityClaims.SCOPE_ADMIN), List.of(), null,
                    null, null))
            .secret();
    }

    static synchronized WholeFactory get() {
        if (running == null) {
            try {
                running = new WholeFactory();
            }
            catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            WholeFactory started = running;
            // stopped before the test databases are dropped, so no service waits on a
            // database that is gone
            TestInfrastructure.stopBeforeDatabasesDrop(started::stop);
        }
        return running;
    }

    /**
     * The factory when a test class has started it; empty otherwise (nothing is started).
     */
    static synchronized java.util.Optional<WholeFactory> ifRunning() {
        return java.util.Optional.ofNullable(running);
    }

    HttpTestClient admin() {
        return HttpTestClient.onPort(gatewayPort).withToken(adminKey);
    }

    HttpTestClient client(String key) {
        return HttpTestClient.onPort(gatewayPort).withToken(key);
    }

    /**
     * Prices for the local generation model, the simulated GPU node's model and its node
     * class, and an energy tariff (created once; a second time is a 409).
     */
    void seedPrices() {
        HttpTestClient admin = admin();
        admin.post("/api/billing/energy-tariffs",
                Map.of("effectiveFrom", "2000-01-01T00:00:00Z", "pricePerKwh", "0.25"));
        for (String model : List.of("byte-lm-moby", "simulated-llm")) {
            admin.post("/api/billing/models", Map.of("name", model, "task", "GENERATION"));
            admin.post("/api/billing/rate-cards", Map.of("model", model, "effectiveFrom", "2000-01-01T00:00:00Z",
                    "promptPerMillion", "0.50", "completionPerMillion", "1.50", "embeddingPerMillion", "0"));
        }
        admin.post("/api/billing/capacity-rates", Map.of("nodeClass", "simulated-h100", "effectiveFrom",
                "2000-01-01T00:00:00Z", "costPerAcceleratorHour", "2.50"));
    }

    /** A key as it was issued: its id, and the secret shown this once. */
    record IssuedKey(String id, String secret) {
    }

    /** A new department with a budget of 100, through the gateway. */
    UUID department(String name, String costCentre) {
        ResponseEntity<JsonNode> created = admin().post("/api/billing/departments",
                Map.of("name", name, "costCentreCode", costCentre, "monthlyBudget", "100", "softAlertPercent", 80));
        assertThat(created.getStatusCode()).as("%s", created.getBody()).isEqualTo(HttpStatus.CREATED);
        return UUID.fromString(created.getBody().get("id").asString());
    }

    IssuedKey key(UUID department, List<String> scopes) {
        ResponseEntity<JsonNode> created = admin().post("/api/keys",
                Map.of("name", "system test " + department, "departmentId", department, "scopes", scopes));
        assertThat(created.getStatusCode()).isEqualTo(HttpStatus.CREATED);
        return new IssuedKey(created.getBody().at("/key/id").asString(), created.getBody().get("secret").asString());
    }

    private void stop() {
        for (int i = services.size() - 1; i >= 0; i--) {
            services.get(i).close();
        }
        gpuNode.close();
        identityProvider.close();
    }

    private RunningService start(Class<?> application, String module, String... properties) {
        RunningService service = RunningService.start(application, module, properties);
        services.add(service);
        return service;
    }

    private static int freePort() {
        return FreePorts.next();
    }

}
