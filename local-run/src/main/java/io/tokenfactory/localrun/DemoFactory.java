package io.tokenfactory.localrun;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;

/**
 * So the factory produces tokens from the first minute: on a fresh suite, prices for the
 * local models (and the simulated GPU node's model and node class, when it runs), two
 * departments with budgets, and four always-on agents — on the local model, and one on
 * the simulated GPU node's model — all through the gateway's public API with the
 * bootstrap admin key the gateway wrote for the launcher. Nothing happens once any agent
 * exists.
 */
final class DemoFactory {

    static final String LOCAL_MODEL = "byte-lm-moby";

    /**
     * The model inference-service's profile simulated-gpu-node serves from the simulated
     * GPU node.
     */
    static final String SIMULATED_MODEL = "simulated-llm";
    static final String SIMULATED_NODE_CLASS = "simulated-h100";

    /** The department whose key the launcher prints. */
    static final String KEY_DEPARTMENT = "Research";

    private record DemoAgent(String department, String name, String instructions, int intervalSeconds, boolean onGpu) {
    }

    private static final List<DemoAgent> AGENTS = List.of(
            new DemoAgent("Research", "literature-scout", "Note one idea about energy-efficient inference.", 45, true),
            new DemoAgent("Research", "experiment-notes", "Write a line for today's lab notebook.", 90, false),
            new DemoAgent("Customer Support", "ticket-triage", "Sort the newest support ticket.", 30, false),
            new DemoAgent("Customer Support", "faq-writer", "Draft one answer for the help centre.", 120, false));

    private final GatewayCalls gateway;

    private final boolean simulatedNode;

    private DemoFactory(GatewayCalls gateway, boolean simulatedNode) {
        this.gateway = gateway;
        this.simulatedNode = simulatedNode;
    }

    /**
     * Seeds the demo when the suite is fresh; returns what it did, for the launcher's
     * summary.
     */
    static String seed(String gatewayUrl, Path adminKeyFile, boolean simulatedNode) {
        try {
            if (!Files.exists(adminKeyFile)) {
                return "demo agents: none seeded (no " + adminKeyFile
                        + "; the gateway writes it on its first start only)";
            }
            return new DemoFactory(new GatewayCalls(gatewayUrl, Files.readString(adminKeyFile).strip()), simulatedNode)
                .seed();
        }
        catch (IOException | RuntimeException e) {
            return "demo agents: not seeded (" + e.getMessage() + ")";
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "demo agents: not seeded (interrupted)";
        }
    }

    private String seed() throws IOException, InterruptedException {
        JsonNode agents = gateway.call("GET", "/api/agents", null, 200);
        if (agents.isArray() && !agents.isEmpty()) {
            return "demo agents: " + agents.size() + " agents already defined";
        }
        gateway.call("POST", "/api/billing/energy-tariffs",
                Map.of("effectiveFrom", "2000-01-01T00:00:00Z", "pricePerKwh", "0.25"), 201, 409);
        gateway.call("POST", "/api/billing/models", Map.of("name", LOCAL_MODEL, "task", "GENERATION"), 201, 409);
        gateway.call(
                "POST", "/api/billing/rate-cards", Map.of("model", LOCAL_MODEL, "effectiveFrom", "2000-01-01T00:00:00Z",
                        "promptPerMillion", "0.50", "completionPerMillion", "1.50", "embeddingPerMillion", "0"),
                201, 409, 422);
        gateway.call("POST", "/api/billing/models", Map.of("name", "all-minilm-l6-v2", "task", "EMBEDDING"), 201, 409);
        gateway.call("POST", "/api/billing/rate-cards",
                Map.of("model", "all-minilm-l6-v2", "effectiveFrom", "2000-01-01T00:00:00Z", "promptPerMillion", "0",
                        "completionPerMillion", "0", "embeddingPerMillion", "0.05"),
                201, 409, 422);
        if (simulatedNode) {
            gateway.call("POST", "/api/billing/models", Map.of("name", SIMULATED_MODEL, "task", "GENERATION"), 201,
                    409);
            gateway.call("POST", "/api/billing/rate-cards",
                    Map.of("model", SIMULATED_MODEL, "effectiveFrom", "2000-01-01T00:00:00Z", "promptPerMillion",
                            "0.20", "completionPerMillion", "0.80", "embeddingPerMillion", "0"),
                    201, 409, 422);
            // an H100's amortised cost per accelerator-hour, roughly; the simulated node
            // declares this class
            gateway.call("POST", "/api/billing/capacity-rates", Map.of("nodeClass", SIMULATED_NODE_CLASS,
                    "effectiveFrom", "2000-01-01T00:00:00Z", "costPerAcceleratorHour", "2.50"), 201, 409, 422);
        }
        Map<String, String> departments = Map.of("Research", department("Research", "CC-RESEARCH", "500"),
                "Customer Support", department("Customer Support", "CC-SUPPORT", "300"));
        for (DemoAgent agent : AGENTS) {
            String model = agent.onGpu() && simulatedNode ? SIMULATED_MODEL : LOCAL_MODEL;
            JsonNode created = gateway.call("POST", "/api/agents",
                    Map.of("name", agent.name(), "departmentId", departments.get(agent.department()), "model", model,
                            "instructions", agent.instructions(), "tools", List.of(), "trigger",
                            Map.of("kind", "LOOP", "intervalSeconds", agent.intervalSeconds()), "limits",
                            Map.of("maxSteps", 2, "maxTokensPerRun", 2_000)),
                    201);
            gateway.call("POST", "/api/agents/" + created.get("id").asString() + "/activate", null, 200);
        }
        return "demo agents: " + AGENTS.size() + " always-on agents in Research and Customer Support, on " + LOCAL_MODEL
                + (simulatedNode ? " and " + SIMULATED_MODEL + " (the simulated GPU node)" : "");
    }

    private String department(String name, String costCentre, String budget) throws IOException, InterruptedException {
        JsonNode existing = gateway.call("GET", "/api/billing/departments", null, 200);
        for (JsonNode department : existing) {
            if (department.path("name").asString().equalsIgnoreCase(name)) {
                return department.get("id").asString();
            }
        }
        return gateway
            .call("POST", "/api/billing/departments",
                    Map.of("name", name, "costCentreCode", costCentre, "monthlyBudget", budget, "softAlertPercent", 80),
                    201)
            .get("id")
            .asString();
    }

}
