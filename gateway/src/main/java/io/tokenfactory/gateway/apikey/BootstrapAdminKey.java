package io.tokenfactory.gateway.apikey;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import io.tokenfactory.gateway.GatewayProperties;
import io.tokenfactory.support.secrets.SecretFiles;
import io.tokenfactory.support.security.IdentityClaims;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * On the first start (no unrevoked admin key exists) issues an admin key and prints it
 * once. There is no default secret anywhere: whoever reads this line is the first
 * administrator, and should create named admin keys and revoke this one.
 */
@Component
class BootstrapAdminKey implements ApplicationRunner {

    static final String MARKER = "Bootstrap admin API key (shown once, store it now):";

    private static final Logger log = LoggerFactory.getLogger(BootstrapAdminKey.class);

    private final ApiKeys keys;

    private final Path file;

    BootstrapAdminKey(ApiKeys keys, GatewayProperties properties) {
        this.keys = keys;
        this.file = properties.apiKeys().bootstrapAdminKeyFile();
    }

    @Override
    public void run(ApplicationArguments args) {
        if (keys.hasAdminKey()) {
            return;
        }
        IssuedApiKey issued = keys.issue(new NewApiKey("bootstrap-admin", null, null,
                Set.of(IdentityClaims.SCOPE_ADMIN), List.of(), null, null, null));
        log.warn("{} {} (key id {})", MARKER, issued.secret(), issued.key().id());
        if (file != null && !file.toString().isBlank()) {
            // for a local launcher that seeds demo data with it; readable by its owner
            // only
            try {
                SecretFiles.write(file, issued.secret());
            }
            catch (IOException e) {
                log.warn("Could not also write the bootstrap admin key to {}: {}", file, e.getMessage());
            }
        }
    }

}
