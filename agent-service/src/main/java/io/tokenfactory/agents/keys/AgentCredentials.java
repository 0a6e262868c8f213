package io.tokenfactory.agents.keys;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tokenfactory.agents.AgentProperties;
import io.tokenfactory.agents.clients.GatewayClient;
import io.tokenfactory.agents.definition.AgentDefinition.Agent;
import io.tokenfactory.support.secrets.SecretFiles;
import io.tokenfactory.support.tags.CostTags;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Each agent's own gateway key, bound to its department and to itself, so all its usage
 * is attributed without trusting the agent. agent-service issues it through the gateway
 * with its {@code agent-keys} key on the first run, keeps the secret only encrypted
 * (AES-256-GCM, the agent id as associated data: a ciphertext moved to another agent does
 * not decrypt), and revokes it when the agent retires.
 */
@Component
public class AgentCredentials {

    /**
     * No key could be issued: the run cannot start. {@code gatewayDown}: the platform's
     * fault (gateway unreachable, agent-service's own key missing or refused), so the
     * agent backs off without spending retries.
     */
    public static final class Unavailable extends RuntimeException {

        private final boolean gatewayDown;

        Unavailable(String message, boolean gatewayDown) {
            super(message);
            this.gatewayDown = gatewayDown;
        }

        public boolean gatewayDown() {
            return gatewayDown;
        }

    }

    private static final Logger log = LoggerFactory.getLogger(AgentCredentials.class);

    private final JdbcTemplate jdbc;

    private final JsonMapper json;

    private final Clock clock;

    private final AgentProperties properties;

    private final GatewayClient gateway;

    private volatile KeyCipher cipher;

    AgentCredentials(JdbcTemplate jdbc, GatewayClient gateway, JsonMapper json, Clock clock,
            AgentProperties properties) {
        this.jdbc = jdbc;
        this.gateway = gateway;
        this.json = json;
        this.clock = clock;
        this.properties = properties;
    }

    /** The agent's key secret, issued on first use. */
    public String secretFor(Agent agent) {
        List<Stored> stored = jdbc.query("SELECT secret, key_id, tags FROM agent_credential WHERE agent_id = ?",
                (row, i) -> new Stored(row.getBytes(1), row.getObject(2, UUID.class), row.getString(3)), agent.id());
        if (!stored.isEmpty()) {
            try {
                String secret = cipher().decrypt(agent.id(), stored.get(0).secret());
                syncTags(agent, stored.get(0));
                return secret;
            }
            catch (GeneralSecurityException unreadable) {
                // the encryption key changed: the stored secret is lost; replace the key
                // at the gateway
                log.warn("The stored key of agent {} cannot be decrypted (encryption key changed?); issuing a new one",
                        agent.id());
                forget(agent.id());
            }
        }
        Map<String, Object> request = Map.of("name", "agent " + agent.name(), "departmentId", agent.departmentId(),
                "agentId", agent.id(), "scopes", List.of("inference"), "tags", agent.definition().tags());
        JsonNode issued = gateway("/api/keys", request);
        String secret = issued.path("secret").asString();
        UUID keyId = UUID.fromString(issued.at("/key/id").asString());
        int inserted = jdbc.update("""
                INSERT INTO agent_credential (agent_id, key_id, secret, created_at, tags) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (agent_id) DO NOTHING""", agent.id(), keyId, cipher().encrypt(agent.id(), secret),
                Timestamp.from(clock.instant()), CostTags.json(agent.definition().tags()));
        if (inserted == 0) {
            // another replica was faster: use its key, withdraw ours
            revokeQuietly(keyId);
            return secretFor(agent);
        }
        return secret;
    }

    private record Stored(byte[] secret, UUID keyId, String tags) {
    }

    /**
     * An agent's tags changed since its key got them: the key gets the new ones before
     * the agent's next request, so its usage is charged to them.
     */
    private void syncTags(Agent agent, Stored stored) {
        Map<String, String> wanted = agent.definition().tags();
        if (wanted.equals(CostTags.fromJson(stored.tags()))) {
            return;
        }
        GatewayClient.Answer answer;
        try {
            answer = gateway.putWithServiceKey("/api/keys/" + stored.keyId() + "/tags",
                    json.writeValueAsString(Map.of("tags", wanted)));
        }
        catch (GatewayClient.Unreachable e) {
            throw new Unavailable(e.getMessage() + " (setting an agent key's tags)", true);
        }
        if (answer.status() >= 300) {
            // the agent still runs, charged to its key's current tags; tried again next
            // run
            log.warn("The gateway refused the tags of agent {}'s key ({}): {}", agent.id(), answer.status(),
                    answer.body());
            return;
        }
        jdbc.update("UPDATE agent_credential SET tags = ? WHERE agent_id = ?", CostTags.json(wanted), agent.id());
    }

    /**
     * The gateway no longer accepts the stored key (revoked, expired): the next run
     * issues a new one.
     */
    public void forget(UUID agentId) {
        jdbc.query("DELETE FROM agent_credential WHERE agent_id = ? RETURNING key_id",
                (row, i) -> row.getObject(1, UUID.class), agentId)
            .forEach(this::revokeQuietly);
    }

    /**
     * Retired agents keep no key: revoked at the gateway, then forgotten here (retried
     * until the gateway answers).
     */
    public void revokeKeysOfRetiredAgents() {
        List<UUID[]> retired = jdbc.query("""
                SELECT c.agent_id, c.key_id FROM agent_credential c JOIN agent a ON a.id = c.agent_id
                WHERE a.state = 'RETIRED' LIMIT 100""",
                (row, i) -> new UUID[] { row.getObject(1, UUID.class), row.getObject(2, UUID.class) });
        for (UUID[] credential : retired) {
            try {
                gateway("/api/keys/" + credential[1] + "/revoke", Map.of());
            }
            catch (Unavailable e) {
                if (e.gatewayDown()) {
                    log.warn("Could not revoke the key of retired agent {} yet: {}", credential[0], e.getMessage());
                    continue;
                }
                // refused (e.g. the key is already gone): nothing left to revoke
            }
            jdbc.update("DELETE FROM agent_credential WHERE agent_id = ?", credential[0]);
        }
    }

    private void revokeQuietly(UUID keyId) {
        try {
            gateway("/api/keys/" + keyId + "/revoke", Map.of());
        }
        catch (RuntimeException e) {
            log.warn("Could not revoke agent key {} at the gateway: {}", keyId, e.getMessage());
        }
    }

    private JsonNode gateway(String path, Map<String, Object> body) {
        GatewayClient.Answer answer;
        try {
            answer = gateway.postWithServiceKey(path, json.writeValueAsString(body));
        }
        catch (GatewayClient.Unreachable e) {
            throw new Unavailable(e.getMessage() + " (issuing or revoking an agent's key)", true);
        }
        if (answer.status() >= 500 || answer.status() == 401 || answer.status() == 403) {
            throw new Unavailable("the gateway answered " + answer.status() + " while issuing the agent's key", true);
        }
        if (answer.status() >= 300) {
            throw new Unavailable(
                    "the gateway refused agent-service's key request (" + answer.status() + "): " + answer.body(),
                    false);
        }
        return json.readTree(answer.body());
    }

    private KeyCipher cipher() {
        if (cipher == null) {
            synchronized (this) {
                if (cipher == null) {
                    cipher = new KeyCipher(loadOrCreateKey());
                }
            }
        }
        return cipher;
    }

    private byte[] loadOrCreateKey() {
        AgentProperties.Credentials settings = properties.credentials();
        if (settings.encryptionKey() != null && !settings.encryptionKey().isBlank()) {
            return Base64.getDecoder().decode(settings.encryptionKey().strip());
        }
        Path file = settings.encryptionKeyFile();
        SecretFiles.Generated key = SecretFiles.readOrGenerate(file, 32);
        if (key.created()) {
            log.warn("Generated a new encryption key for agents' stored keys in {}; keep it (without it agents' keys"
                    + " are re-issued)", file);
        }
        return key.secret();
    }

}
