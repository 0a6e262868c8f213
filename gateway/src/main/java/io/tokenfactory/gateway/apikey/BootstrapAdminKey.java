package io.tokenfactory.gateway.apikey;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;

import io.tokenfactory.gateway.GatewayProperties;
import io.tokenfactory.support.audit.Actor;
import io.tokenfactory.support.secrets.SecretFiles;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * The very first start (no admin key was ever issued) issues an admin key and writes it
 * to the bootstrap key file, readable by its owner only; the secret is never logged. The
 * key expires after {@code bootstrap-key-lifetime} (24 h) unless used, and is never
 * issued again by itself: once every admin key is revoked or expired, an operator
 * recovers access with {@code ./factory admin-key} ({@link AdminKeyRecovery}), which the
 * audit trail records.
 */
@Component
class BootstrapAdminKey implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(BootstrapAdminKey.class);

    private final ApiKeys keys;

    private final Path file;

    private final Duration lifetime;

    BootstrapAdminKey(ApiKeys keys, GatewayProperties properties) {
        this.keys = keys;
        this.file = properties.apiKeys().bootstrapAdminKeyFile();
        this.lifetime = properties.apiKeys().bootstrapKeyLifetime();
    }

    @Override
    public void run(ApplicationArguments args) {
        if (keys.hasEverHadAdminKey()) {
            if (!keys.hasUsableAdminKey()) {
                log.warn("No usable admin key (all revoked or expired); none is issued by itself. Recover one with "
                        + "./factory admin-key, or the gateway's admin-key command (docs/security.md)");
            }
            return;
        }
        IssuedApiKey issued;
        try {
            issued = keys.issueBootstrapAdminKey(lifetime, Actor.SYSTEM, secret -> {
                try {
                    SecretFiles.write(file, secret);
                }
                catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        catch (UncheckedIOException e) {
            // nothing was issued: the next start tries again
            throw new IllegalStateException("Could not write the bootstrap admin key to " + file.toAbsolutePath()
                    + " (set TF_BOOTSTRAP_ADMIN_KEY_FILE to a writable path)", e.getCause());
        }
        log.warn(
                "Bootstrap admin key {} written to {} (readable by its owner only); it expires at {} unless used. "
                        + "Create named admin keys with it, then revoke it.",
                issued.key().id(), file.toAbsolutePath(), issued.key().expiresAt());
    }

}
