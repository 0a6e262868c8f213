package io.tokenfactory.agents.runtime;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import io.tokenfactory.agents.AgentProperties;
import io.tokenfactory.agents.definition.AgentDefinition.Agent;
import io.tokenfactory.support.secrets.SecretFiles;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Each agent's own gateway key, bound to its department and to itself, so all its usage is attributed without
 * trusting the agent. agent-service issues it through the gateway with its {@code agent-keys} key on the first run,
 * keeps the secret only encrypted (AES-256-GCM, the agent id as associated data: a ciphertext moved to another agent
 * does not decrypt), and revokes it when the agent retires.
 */
@Component
class AgentCredentials {

    /**
     * No key could be issued: the run cannot start. {@code gatewayDown}: the platform's fault (gateway unreachable,
     * agent-service's own key missing or refused), so the agent backs off without spending retries.
     */
    static final class Unavailable extends RuntimeException {
        final boolean gatewayDown;

        Unavailable(String message, boolean gatewayDown) {
            super(message);
            this.gatewayDown = gatewayDown;
        }
    }

    private static final Logger log = LoggerFactory.getLogger(AgentCredentials.class);
    private static final int NONCE_BYTES = 12;

    private final JdbcTemplate jdbc;
    private final JsonMapper json;
    private final Clock clock;
    private final AgentProperties properties;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final SecureRandom random = new SecureRandom();
    private volatile SecretKeySpec encryptionKey;

    AgentCredentials(JdbcTemplate jdbc, JsonMapper json, Clock clock, AgentProperties properties) {
        this.jdbc = jdbc;
        this.json = json;
        this.clock = clock;
        this.properties = properties;
    }

    /** The agent's key secret, issued on first use. */
    String secretFor(Agent agent) {
        List<byte[]> stored = jdbc.query("SELECT secret FROM agent_credential WHERE agent_id = ?",
                (row, i) -> row.getBytes(1), agent.id());
        if (!stored.isEmpty()) {
            try {
                return decrypt(agent.id(), stored.get(0));
            } catch (GeneralSecurityException unreadable) {
                // the encryption key changed: the stored secret is lost; replace the key at the gateway
                log.warn("The stored key of agent {} cannot be decrypted (encryption key changed?); issuing a new one", agent.id());
                forget(agent.id());
            }
        }
        Map<String, Object> request = Map.of("name", "agent " + agent.name(), "departmentId", agent.departmentId(),
                "agentId", agent.id(), "scopes", List.of("inference"));
        JsonNode issued = gateway("/api/keys", request);
        String secret = issued.path("secret").asString();
        UUID keyId = UUID.fromString(issued.at("/key/id").asString());
        int inserted = jdbc.update("""
                INSERT INTO agent_credential (agent_id, key_id, secret, created_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (agent_id) DO NOTHING""", agent.id(), keyId, encrypt(agent.id(), secret),
                Timestamp.from(clock.instant()));
        if (inserted == 0) {
            // another replica was faster: use its key, withdraw ours
            revokeQuietly(keyId);
            return secretFor(agent);
        }
        return secret;
    }

    /** The gateway no longer accepts the stored key (revoked, expired): the next run issues a new one. */
    void forget(UUID agentId) {
        jdbc.query("DELETE FROM agent_credential WHERE agent_id = ? RETURNING key_id", (row, i) -> row.getObject(1, UUID.class),
                agentId).forEach(this::revokeQuietly);
    }

    /** Retired agents keep no key: revoked at the gateway, then forgotten here (retried until the gateway answers). */
    void revokeKeysOfRetiredAgents() {
        List<UUID[]> retired = jdbc.query("""
                SELECT c.agent_id, c.key_id FROM agent_credential c JOIN agent a ON a.id = c.agent_id
                WHERE a.state = 'RETIRED' LIMIT 100""",
                (row, i) -> new UUID[] {row.getObject(1, UUID.class), row.getObject(2, UUID.class)});
        for (UUID[] credential : retired) {
            try {
                gateway("/api/keys/" + credential[1] + "/revoke", Map.of());
            } catch (Unavailable e) {
                if (e.gatewayDown) {
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
        } catch (RuntimeException e) {
            log.warn("Could not revoke agent key {} at the gateway: {}", keyId, e.getMessage());
        }
    }

    private JsonNode gateway(String path, Map<String, Object> body) {
        URI uri = properties.gateway().url().resolve(path);
        HttpResponse<String> response;
        try {
            response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                    .header("Authorization", "Bearer " + serviceKey()).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body))).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new Unavailable("the gateway cannot be reached to issue the agent's key: " + e.getMessage(), true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted while issuing the agent's key", true);
        }
        if (response.statusCode() >= 500 || response.statusCode() == 401 || response.statusCode() == 403) {
            throw new Unavailable("the gateway answered " + response.statusCode() + " while issuing the agent's key", true);
        }
        if (response.statusCode() >= 300) {
            throw new Unavailable("the gateway refused agent-service's key request (" + response.statusCode() + "): "
                    + response.body(), false);
        }
        return json.readTree(response.body());
    }

    private String serviceKey() {
        AgentProperties.Gateway gateway = properties.gateway();
        if (gateway.serviceKey() != null && !gateway.serviceKey().isBlank()) {
            return gateway.serviceKey().strip();
        }
        Path file = gateway.serviceKeyFile();
        try {
            if (file != null && Files.exists(file)) {
                return Files.readString(file).strip();
            }
        } catch (IOException e) {
            throw new Unavailable("cannot read agent-service's key file " + file + ": " + e.getMessage(), true);
        }
        throw new Unavailable("agent-service has no gateway key: set TF_AGENT_SERVICE_KEY_FILE (or TF_AGENT_SERVICE_KEY)"
                + " to a key with scope agent-keys", true);
    }

    private byte[] encrypt(UUID agentId, String secret) {
        try {
            byte[] nonce = new byte[NONCE_BYTES];
            random.nextBytes(nonce);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key(), new GCMParameterSpec(128, nonce));
            cipher.updateAAD(agentId.toString().getBytes(StandardCharsets.US_ASCII));
            byte[] sealed = cipher.doFinal(secret.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    private String decrypt(UUID agentId, byte[] stored) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.DECRYPT_MODE, key(), new GCMParameterSpec(128, stored, 0, NONCE_BYTES));
        cipher.updateAAD(agentId.toString().getBytes(StandardCharsets.US_ASCII));
        return new String(cipher.doFinal(stored, NONCE_BYTES, stored.length - NONCE_BYTES), StandardCharsets.UTF_8);
    }

    private SecretKeySpec key() {
        if (encryptionKey == null) {
            synchronized (this) {
                if (encryptionKey == null) {
                    encryptionKey = new SecretKeySpec(loadOrCreateKey(), "AES");
                }
            }
        }
        return encryptionKey;
    }

    private byte[] loadOrCreateKey() {
        AgentProperties.Credentials settings = properties.credentials();
        if (settings.encryptionKey() != null && !settings.encryptionKey().isBlank()) {
            return checked(Base64.getDecoder().decode(settings.encryptionKey().strip()));
        }
        Path file = settings.encryptionKeyFile();
        SecretFiles.Generated key = SecretFiles.readOrGenerate(file, 32);
        if (key.created()) {
            log.warn("Generated a new encryption key for agents' stored keys in {}; keep it (without it agents' keys"
                    + " are re-issued)", file);
        }
        return checked(key.secret());
    }

    private static byte[] checked(byte[] key) {
        if (key.length != 32) {
            throw new IllegalStateException("The agents' credentials encryption key must be 32 bytes (base64)");
        }
        return key;
    }
}
