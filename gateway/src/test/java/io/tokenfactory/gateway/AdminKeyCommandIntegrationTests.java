package io.tokenfactory.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.tokenfactory.gateway.apikey.ApiKeyView;
import io.tokenfactory.testsupport.HttpTestClient;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpStatus;

import tools.jackson.databind.JsonNode;

/**
 * The operator's way back in: with every admin key revoked, a restart issues none, and
 * the {@code admin-key} command — against the gateway's database, beside the running
 * gateway — writes a new one to an owner-only file, records it in the audit trail, and
 * the key works at once.
 */
class AdminKeyCommandIntegrationTests extends GatewayIntegrationTest {

    @Autowired
    Environment environment;

    @Test
    void issuesAnAdminKeyIntoAnOwnerOnlyFileAndAuditsIt(@TempDir Path directory) throws Exception {
        Path file = directory.resolve("recovered-admin-key");

        int exit = AdminKeyCommand
            .run(new String[] { "--spring.datasource.url=" + environment.getRequiredProperty("spring.datasource.url"),
                    "--spring.datasource.username=" + environment.getProperty("spring.datasource.username", ""),
                    "--spring.datasource.password=" + environment.getProperty("spring.datasource.password", ""),
                    "--tokenfactory.gateway.api-keys.pepper=" + PEPPER,
                    "--tokenfactory.gateway.api-keys.bootstrap-admin-key-file=" + file });

        assertThat(exit).isZero();
        String secret = Files.readString(file).strip();
        assertThat(Files.getPosixFilePermissions(file)).hasSize(2);
        ApiKeyView recovered = apiKeys.list(null)
            .stream()
            .filter(key -> key.name().equals("recovered-admin"))
            .findFirst()
            .orElseThrow();
        assertThat(recovered.scopes()).containsExactly("admin");
        assertThat(recovered.unusedBootstrap()).isTrue();
        assertThat(recovered.expiresAt()).isNotNull();

        HttpTestClient operator = http().withToken(secret);
        assertThat(operator.get("/api/me").getStatusCode()).isEqualTo(HttpStatus.OK);
        List<JsonNode> trail = List.copyOf(operator.get("/api/audit?action=key.recovered&subject=" + recovered.id())
            .getBody()
            .valueStream()
            .toList());
        assertThat(trail).hasSize(1);
        assertThat(trail.get(0).get("actorKind").asString()).isEqualTo("OPERATOR");
        assertThat(trail.get(0).get("actorId").asString()).isEqualTo(System.getProperty("user.name"));
        assertThat(trail.get(0).get("after").asString()).contains(recovered.id().toString()).doesNotContain(secret);
        assertThat(operator.get("/api/keys/" + recovered.id()).getBody().get("status").asString()).isEqualTo("ACTIVE");
    }

}
