package io.tokenfactory.support.security;

/**
 * The short-lived identity token the gateway mints for every authenticated request (JWT,
 * ES256) and every service verifies: who called (the API key), for which department and
 * agent, with which scopes.
 */
public final class IdentityClaims {

    public static final String ISSUER = "urn:tokenfactory:gateway";

    public static final String AUDIENCE = "tokenfactory-services";

    /**
     * Space-separated scopes, the OAuth 2 convention Spring Security maps to
     * {@code SCOPE_*} authorities.
     */
    public static final String SCOPE = "scope";

    public static final String KEY_ID = "key_id";

    public static final String DEPARTMENT_ID = "department_id";

    public static final String AGENT_ID = "agent_id";

    /**
     * The key's priority class, {@link #PRIORITY_INTERACTIVE} or {@link #PRIORITY_BATCH}:
     * inference admits interactive work ahead of batch work within a department's fair
     * share. Absent: interactive.
     */
    /**
     * A person signed in through the identity provider rather than a key: their name, for
     * the audit trails.
     */
    public static final String PERSON = "person";

    /**
     * The key's cost tags ({@code team}, {@code project} and keys an administrator
     * allows), as a JSON object of strings: they travel with every request's usage to
     * metering and billing. Absent: none.
     */
    public static final String TAGS = "tags";

    public static final String PRIORITY = "priority";

    public static final String PRIORITY_INTERACTIVE = "interactive";

    public static final String PRIORITY_BATCH = "batch";

    /** Chat completions, completions, embeddings and the model list ({@code /v1}). */
    public static final String SCOPE_INFERENCE = "inference";

    /** Reading metered usage and efficiency (metering's department views). */
    public static final String SCOPE_USAGE_READ = "usage:read";

    /** Reading agents, their versions, runs and schedules. */
    public static final String SCOPE_AGENTS_READ = "agents:read";

    /** Creating, editing, running, pausing and retiring agents. */
    public static final String SCOPE_AGENTS_WRITE = "agents:write";

    /**
     * Reading money: a department's spend, budgets, statements, prices, an agent run's
     * cost; and a department's alert subscriptions.
     */
    public static final String SCOPE_BILLING_READ = "billing:read";

    /**
     * Administering billing for every department: prices, rate cards, tariffs, nodes,
     * departments and their budgets, month closes, agents' budgets. Only on a key of no
     * department.
     */
    public static final String SCOPE_BILLING_ADMIN = "billing:admin";

    /**
     * Issuing, rotating, revoking and limiting API keys. Only on a key of no department.
     */
    public static final String SCOPE_KEYS_ADMIN = "keys:admin";

    /**
     * Scraping the gateway's operations endpoints ({@code /actuator/prometheus},
     * {@code /actuator/info}), which the Ingress exposes; only on a key of no department.
     */
    public static final String SCOPE_METRICS_READ = "metrics:read";

    /** Everything, every other scope included. */
    public static final String SCOPE_ADMIN = "admin";

    /**
     * agent-service's own key: it may issue and revoke inference keys bound to one agent,
     * and nothing else.
     */
    public static final String SCOPE_AGENT_KEYS = "agent-keys";

    /**
     * The header an agent names its run in. The gateway passes it on only from a key
     * bound to an agent; inference records it on the usage, so metering and billing know
     * each run's tokens, joules and cost.
     */
    public static final String AGENT_RUN_HEADER = "X-Agent-Run-Id";

    /**
     * The client's address as the gateway saw it, on every routed request (the audit
     * trail records it); whatever a client sends under this name is dropped first.
     */
    public static final String CLIENT_ADDRESS_HEADER = "X-TF-Client-Address";

    private IdentityClaims() {
    }

    public static String authority(String scope) {
        return "SCOPE_" + scope;
    }

    /**
     * The authorities that let a caller in where any of these scopes is needed: theirs
     * and {@code admin}'s, which holds every scope.
     */
    public static String[] grantedBy(String... scopes) {
        String[] authorities = new String[scopes.length + 1];
        for (int i = 0; i < scopes.length; i++) {
            authorities[i] = authority(scopes[i]);
        }
        authorities[scopes.length] = authority(SCOPE_ADMIN);
        return authorities;
    }

}
