package io.tokenfactory.gateway.apikey;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import io.tokenfactory.gateway.GatewayProperties;
import io.tokenfactory.support.audit.Actor;
import io.tokenfactory.support.secrets.SecretFiles;
import io.tokenfactory.support.security.IdentityClaims;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * Gives agent-service its own key (scope {@code agent-keys}: it may only issue and revoke
 * agents' inference keys) through a file readable by its owner only, when
 * {@code agent-service-key-file} is set and the file holds no valid key. The secret is
 * written nowhere else and never logged.
 */
@Component
class AgentServiceKey implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(AgentServiceKey.class);

    private final ApiKeys keys;

    private final Path file;

    AgentServiceKey(ApiKeys keys, GatewayProperties properties) {
        this.keys = keys;
        this.file = properties.apiKeys().agentServiceKeyFile();
    }

    @Override
    public void run(ApplicationArguments args) {
        if (file == null || file.toString().isBlank() || holdsValidKey()) {
            return;
        }
        IssuedApiKey issued = keys.issue(new NewApiKey("agent-service", null, null,
                Set.of(IdentityClaims.SCOPE_AGENT_KEYS), List.of(), null, null, null));
        try {
            SecretFiles.write(file, issued.secret());
        }
        catch (IOException | UnsupportedOperationException e) {
            keys.revoke(issued.key().id(), Actor.SYSTEM);
            throw new IllegalStateException("Cannot write agent-service's key to " + file, e);
        }
        log.info("Issued agent-service's key {} into {}", issued.key().id(), file);
    }

    private boolean holdsValidKey() {
        try {
            return Files.exists(file) && keys.authenticate(Files.readString(file).strip())
                .filter(key -> key.scopes().equals(Set.of(IdentityClaims.SCOPE_AGENT_KEYS)))
                .isPresent();
        }
        catch (IOException e) {
            return false;
        }
    }

}
