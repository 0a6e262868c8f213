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
    public static final String PRIORITY = "priority";

    public static final String PRIORITY_INTERACTIVE = "interactive";

    public static final String PRIORITY_BATCH = "batch";

    public static final String SCOPE_INFERENCE = "inference";

    public static final String SCOPE_USAGE_READ = "usage:read";

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

    private IdentityClaims() {
    }

    public static String authority(String scope) {
        return "SCOPE_" + scope;
    }

}
