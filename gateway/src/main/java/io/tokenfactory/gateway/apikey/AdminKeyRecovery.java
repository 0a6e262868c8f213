package io.tokenfactory.gateway.apikey;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.UUID;

import io.tokenfactory.gateway.GatewayProperties;
import io.tokenfactory.support.audit.Actor;
import io.tokenfactory.support.audit.AuditTrail;
import io.tokenfactory.support.secrets.SecretFiles;
import io.tokenfactory.support.security.IdentityClaims;

import org.springframework.context.annotation.Profile;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The gateway's {@code admin-key} command ({@code java -jar gateway.jar admin-key},
 * behind {@code ./factory admin-key}): how an operator with access to the gateway's
 * machine and database recovers administration when every admin key is revoked or
 * expired, since none is ever issued by itself after the first start. It starts no server
 * and no consumer: only the database, the key pepper and the audit trail. The new key is
 * written to the bootstrap key file (owner-only) and never printed; like the first
 * start's key it expires after {@code bootstrap-key-lifetime} unless used; the audit
 * trail records it as {@code key.recovered}, by the operating system's user on this host.
 */
@Component
@Profile("admin-key")
class AdminKeyRecovery implements Runnable {

    private final JdbcTemplate jdbc;

    private final ApiKeySecrets secrets;

    private final AuditTrail audit;

    private final TransactionTemplate transaction;

    private final GatewayProperties properties;

    private final Clock clock;

    AdminKeyRecovery(JdbcTemplate jdbc, ApiKeySecrets secrets, AuditTrail audit, TransactionTemplate transaction,
            GatewayProperties properties, Clock clock) {
        this.jdbc = jdbc;
        this.secrets = secrets;
        this.audit = audit;
        this.transaction = transaction;
        this.properties = properties;
        this.clock = clock;
    }

    @Override
    public void run() {
        Path file = properties.apiKeys().bootstrapAdminKeyFile();
        ApiKeySecrets.Secret secret = secrets.generate();
        UUID id = UUID.randomUUID();
        Instant now = clock.instant();
        Instant expires = now.plus(properties.apiKeys().bootstrapKeyLifetime());
        transaction.executeWithoutResult(status -> {
            jdbc.update("""
                    INSERT INTO api_key (id, name, secret_hash, secret_hint, scopes, created_at, expires_at, priority,
                                         unused_bootstrap)
                    VALUES (?, 'recovered-admin', ?, ?, ?, ?, ?, ?, true)""", id, secret.hash(), secret.hint(),
                    IdentityClaims.SCOPE_ADMIN, Timestamp.from(now), Timestamp.from(expires),
                    IdentityClaims.PRIORITY_INTERACTIVE);
            audit.record(operator(), "key.recovered", "api_key", id, null, null,
                    new RecoveredKey(id, "recovered-admin", secret.hint(), IdentityClaims.SCOPE_ADMIN, expires));
            try {
                SecretFiles.write(file, secret.value());
            }
            catch (IOException e) {
                // nobody could hold the key: nothing is committed
                throw new IllegalStateException("Could not write the admin key to " + file.toAbsolutePath(), e);
            }
        });
        System.out.println("Admin key " + id + " written to " + file.toAbsolutePath()
                + " (readable by its owner only); it expires at " + expires + " unless used. Recorded in the audit "
                + "trail as key.recovered.");
    }

    private static Actor operator() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        }
        catch (UnknownHostException e) {
            host = "unknown";
        }
        return Actor.operator(System.getProperty("user.name", "unknown"), host);
    }

    /** The recovered key as the audit trail records it: never its secret. */
    record RecoveredKey(UUID id, String name, String secretHint, String scopes, Instant expiresAt) {
    }

}
