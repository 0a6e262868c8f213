package io.tokenfactory.system;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.springframework.web.bind.annotation.RequestMethod;

/**
 * Every endpoint the suite serves through the gateway, with who may reach it: the scopes
 * that let a key in (any of them; {@code admin} holds them all), and whether a
 * department's key reaches only its own department's data there. The abuse suite probes
 * each one, and fails when a controller serves an endpoint this table lacks (or the table
 * names one nobody serves): a new endpoint must say who may call it.
 */
final class RoutedEndpoints {

    /** Nobody needs a key (the gateway's public signing key). */
    static final Set<String> PUBLIC = Set.of("public");

    /** Any valid key. */
    static final Set<String> ANY_KEY = Set.of();

    static final Set<String> ADMIN = Set.of("admin");

    static final Set<String> INFERENCE = Set.of("inference");

    static final Set<String> USAGE = Set.of("usage:read");

    static final Set<String> AGENTS_READ = Set.of("agents:read");

    static final Set<String> AGENTS_WRITE = Set.of("agents:write");

    static final Set<String> BILLING_READ = Set.of("billing:read", "billing:admin");

    static final Set<String> BILLING_ADMIN = Set.of("billing:admin");

    static final Set<String> KEYS_ADMIN = Set.of("keys:admin");

    static final Set<String> KEYS_ADMIN_OR_AGENT_SERVICE = Set.of("keys:admin", "agent-keys");

    /**
     * @param service the service whose controller serves it
     * @param method an HTTP method, or {@code *} for a mapping of every method
     * @param path the service's own path pattern
     * @param gatewayPath where a client reaches it through the gateway ({@code {x}}
     * placeholders)
     * @param scopes who may call it
     * @param departmentScoped whether a department's key reaches only its own department
     * there (probed with another department's key)
     */
    record Endpoint(String service, String method, String path, String gatewayPath, Set<String> scopes,
            boolean departmentScoped) {

        String key() {
            return service + " " + method + " " + path;
        }
    }

    static final List<Endpoint> ALL = table();

    private RoutedEndpoints() {
    }

    /** The endpoints as their controllers declare them: {@code service METHOD path}. */
    static Set<String> keys() {
        Set<String> keys = new TreeSet<>();
        ALL.forEach(endpoint -> keys.add(endpoint.key()));
        return keys;
    }

    private static List<Endpoint> table() {
        List<Endpoint> all = new ArrayList<>();
        // the gateway's own
        gateway(all, "GET", "/.well-known/jwks.json", PUBLIC, false);
        gateway(all, "GET", "/api/sso", PUBLIC, false);
        // the API's description (merged from the gateway's and the services') and Swagger
        // UI over it
        gateway(all, "GET", "/api/openapi.json", PUBLIC, false);
        gateway(all, "GET", "/api/docs", PUBLIC, false);
        gateway(all, "*", "/fallback/{service}", ADMIN, false);
        gateway(all, "POST", "/api/keys", KEYS_ADMIN_OR_AGENT_SERVICE, false);
        gateway(all, "GET", "/api/keys", KEYS_ADMIN, false);
        gateway(all, "GET", "/api/keys/{id}", KEYS_ADMIN, false);
        gateway(all, "POST", "/api/keys/{id}/rotate", KEYS_ADMIN, false);
        gateway(all, "POST", "/api/keys/{id}/revoke", KEYS_ADMIN_OR_AGENT_SERVICE, false);
        gateway(all, "PUT", "/api/keys/{id}/budget", KEYS_ADMIN, false);
        gateway(all, "PUT", "/api/keys/{id}/expiry", KEYS_ADMIN, false);
        // cost tags: agent-service sets its agents' keys' tags and reads the rules, as
        // agent-service checks an agent's tags for whoever writes agents
        gateway(all, "PUT", "/api/keys/{id}/tags", KEYS_ADMIN_OR_AGENT_SERVICE, false);
        gateway(all, "GET", "/api/tags", Set.of("keys:admin", "agent-keys", "agents:write"), false);
        gateway(all, "PUT", "/api/tags/allowed-keys", ADMIN, false);
        gateway(all, "GET", "/api/me", ANY_KEY, false);
        gateway(all, "GET", "/api/gateway/budgets", BILLING_READ, true);
        gateway(all, "PUT", "/api/gateway/budgets/agents/{agentId}", BILLING_ADMIN, false);
        gateway(all, "DELETE", "/api/gateway/budgets/agents/{agentId}", BILLING_ADMIN, false);
        gateway(all, "GET", "/api/gateway/relayed-usage", ADMIN, false);
        gateway(all, "GET", "/api/audit", ADMIN, false);
        gateway(all, "GET", "/api/audit/csv", ADMIN, false);
        gateway(all, "GET", "/api/dead-letters/gateway", ADMIN, false);
        gateway(all, "GET", "/api/dead-letters/gateway/{id}", ADMIN, false);
        gateway(all, "POST", "/api/dead-letters/gateway/{id}/replay", ADMIN, false);
        gateway(all, "DELETE", "/api/dead-letters/gateway/{id}", ADMIN, false);
        // inference-service
        routed(all, "inference", "GET", "/v1/models", INFERENCE, false);
        routed(all, "inference", "GET", "/v1/models/{name}", INFERENCE, false);
        routed(all, "inference", "POST", "/v1/chat/completions", INFERENCE, false);
        routed(all, "inference", "POST", "/v1/completions", INFERENCE, false);
        routed(all, "inference", "POST", "/v1/embeddings", INFERENCE, false);
        routed(all, "inference", "GET", "/api/inference/nodes", ADMIN, false);
        routed(all, "inference", "GET", "/api/inference/usage-summary", ADMIN, false);
        routed(all, "inference", "POST", "/api/inference/requests/{requestId}/received", ADMIN, false);
        routed(all, "inference", "GET", "/api/inference/capacity", ADMIN, false);
        audit(all, "inference");
        routed(all, "inference", "GET", "/api/inference/power-caps", ADMIN, false);
        routed(all, "inference", "PUT", "/api/inference/power-caps/{scope}", ADMIN, false);
        routed(all, "inference", "PUT", "/api/inference/power-caps/{scope}/{name}", ADMIN, false);
        routed(all, "inference", "DELETE", "/api/inference/power-caps/{scope}", ADMIN, false);
        routed(all, "inference", "DELETE", "/api/inference/power-caps/{scope}/{name}", ADMIN, false);
        // metering-service
        routed(all, "metering", "GET", "/api/metering/usage", USAGE, true);
        routed(all, "metering", "POST", "/api/metering/admin/rollups/rebuild", ADMIN, false);
        routed(all, "metering", "GET", "/api/metering/efficiency", USAGE, true);
        routed(all, "metering", "GET", "/api/metering/energy", ADMIN, false);
        routed(all, "metering", "GET", "/api/metering/reconciliation", ADMIN, false);
        routed(all, "metering", "POST", "/api/metering/carbon-intensities", ADMIN, false);
        routed(all, "metering", "GET", "/api/metering/carbon-intensities", USAGE, false);
        deadLetters(all, "metering");
        audit(all, "metering");
        // agent-service
        routed(all, "agents", "POST", "/api/agents", AGENTS_WRITE, true);
        routed(all, "agents", "GET", "/api/agents", AGENTS_READ, true);
        routed(all, "agents", "GET", "/api/agents/{id}", AGENTS_READ, true);
        routed(all, "agents", "GET", "/api/agents/{id}/versions", AGENTS_READ, true);
        routed(all, "agents", "PUT", "/api/agents/{id}", AGENTS_WRITE, true);
        for (String verb : List.of("activate", "pause", "resume", "retire")) {
            routed(all, "agents", "POST", "/api/agents/{id}/" + verb, AGENTS_WRITE, true);
        }
        // HTTP tools are the platform's: administrators register and remove them
        routed(all, "agents", "POST", "/api/agents/tools", ADMIN, false);
        routed(all, "agents", "GET", "/api/agents/tools", AGENTS_READ, false);
        routed(all, "agents", "DELETE", "/api/agents/tools/{name}", ADMIN, false);
        routed(all, "agents", "POST", "/api/agents/{id}/runs", AGENTS_WRITE, true);
        routed(all, "agents", "POST", "/api/agents/{id}/webhook", AGENTS_WRITE, true);
        routed(all, "agents", "GET", "/api/agents/{id}/runs", AGENTS_READ, true);
        routed(all, "agents", "GET", "/api/agents/{id}/runs/{runId}", AGENTS_READ, true);
        routed(all, "agents", "POST", "/api/agents/{id}/runs/{runId}/cancel", AGENTS_WRITE, true);
        routed(all, "agents", "GET", "/api/agents/{id}/schedule", AGENTS_READ, true);
        deadLetters(all, "agents");
        audit(all, "agents");
        // billing-service
        routed(all, "billing", "POST", "/api/billing/departments", BILLING_ADMIN, false);
        routed(all, "billing", "GET", "/api/billing/departments", BILLING_ADMIN, false);
        routed(all, "billing", "GET", "/api/billing/departments/{id}", BILLING_READ, true);
        routed(all, "billing", "PUT", "/api/billing/departments/{id}", BILLING_ADMIN, false);
        routed(all, "billing", "GET", "/api/billing/departments/{id}/spend", BILLING_READ, true);
        routed(all, "billing", "GET", "/api/billing/cost-per-token", BILLING_READ, true);
        routed(all, "billing", "GET", "/api/billing/agent-runs/{runId}", BILLING_READ, false);
        routed(all, "billing", "GET", "/api/billing/usage-summary", BILLING_ADMIN, false);
        routed(all, "billing", "GET", "/api/billing/budget-snapshot", BILLING_ADMIN, false);
        routed(all, "billing", "POST", "/api/billing/webhooks", BILLING_READ, true);
        routed(all, "billing", "GET", "/api/billing/webhooks", BILLING_READ, true);
        routed(all, "billing", "GET", "/api/billing/webhooks/{id}", BILLING_READ, true);
        routed(all, "billing", "PUT", "/api/billing/webhooks/{id}", BILLING_READ, true);
        routed(all, "billing", "DELETE", "/api/billing/webhooks/{id}", BILLING_READ, true);
        routed(all, "billing", "POST", "/api/billing/webhooks/{id}/test", BILLING_READ, true);
        routed(all, "billing", "GET", "/api/billing/webhooks/{id}/deliveries", BILLING_READ, true);
        for (String book : List.of("models", "rate-cards", "energy-tariffs", "capacity-rates")) {
            routed(all, "billing", "POST", "/api/billing/" + book, BILLING_ADMIN, false);
            routed(all, "billing", "GET", "/api/billing/" + book, BILLING_READ, false);
        }
        routed(all, "billing", "PUT", "/api/billing/nodes/{node}", BILLING_ADMIN, false);
        routed(all, "billing", "GET", "/api/billing/nodes", BILLING_READ, false);
        routed(all, "billing", "POST", "/api/billing/periods/{period}/close", BILLING_ADMIN, false);
        routed(all, "billing", "GET", "/api/billing/periods/{period}/journal", BILLING_ADMIN, false);
        routed(all, "billing", "GET", "/api/billing/statements", BILLING_READ, true);
        routed(all, "billing", "GET", "/api/billing/statements/{id}", BILLING_READ, true);
        routed(all, "billing", "GET", "/api/billing/statements/{id}/csv", BILLING_READ, true);
        routed(all, "billing", "GET", "/api/billing/statements/{id}/pdf", BILLING_READ, true);
        routed(all, "billing", "GET", "/api/billing/focus", BILLING_READ, true);
        for (String change : List.of("PUT", "PATCH", "DELETE")) {
            routed(all, "billing", change, "/api/billing/statements/{id}", BILLING_ADMIN, false);
        }
        deadLetters(all, "billing");
        audit(all, "billing");
        return List.copyOf(all);
    }

    private static void gateway(List<Endpoint> all, String method, String path, Set<String> scopes,
            boolean departmentScoped) {
        all.add(new Endpoint("gateway", method, path, path, scopes, departmentScoped));
    }

    private static void routed(List<Endpoint> all, String service, String method, String path, Set<String> scopes,
            boolean departmentScoped) {
        all.add(new Endpoint(service, method, path, path, scopes, departmentScoped));
    }

    /** A service's audit trail: {@code /api/audit/<area>} at the gateway. */
    private static void audit(List<Endpoint> all, String service) {
        String area = "/api/audit/" + service;
        all.add(new Endpoint(service, "GET", "/api/audit", area, ADMIN, false));
        all.add(new Endpoint(service, "GET", "/api/audit/csv", area + "/csv", ADMIN, false));
    }

    /**
     * The dead letters of a consuming service: {@code /api/dead-letters/<area>} at the
     * gateway.
     */
    private static void deadLetters(List<Endpoint> all, String service) {
        String area = "/api/dead-letters/" + service;
        all.add(new Endpoint(service, "GET", "/api/dead-letters", area, ADMIN, false));
        all.add(new Endpoint(service, "GET", "/api/dead-letters/{id}", area + "/{id}", ADMIN, false));
        all.add(new Endpoint(service, "POST", "/api/dead-letters/{id}/replay", area + "/{id}/replay", ADMIN, false));
        all.add(new Endpoint(service, "DELETE", "/api/dead-letters/{id}", area + "/{id}", ADMIN, false));
    }

    /** How a controller mapping is written in the table: one method, or {@code *}. */
    static List<String> methods(Set<RequestMethod> declared) {
        return declared.isEmpty() ? List.of("*") : declared.stream().map(RequestMethod::name).sorted().toList();
    }

}
