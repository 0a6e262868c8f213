package io.tokenfactory.gateway.apikey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import io.tokenfactory.gateway.GatewayProperties;
import io.tokenfactory.support.audit.Actor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * The first start's admin key: written to its owner-only file, never to the log; and
 * never issued again by itself, even when every admin key is gone.
 */
@ExtendWith(OutputCaptureExtension.class)
class BootstrapAdminKeyTests {

    private final ApiKeys keys = mock(ApiKeys.class);

    @Test
    void theVeryFirstStartWritesTheKeyToItsFileAndNeverToTheLog(@TempDir Path directory, CapturedOutput output)
            throws Exception {
        Path file = directory.resolve("admin-key");
        when(keys.hasEverHadAdminKey()).thenReturn(false);
        String secret = "tf_" + "S".repeat(51);
        when(keys.issueBootstrapAdminKey(any(), any(), any())).thenAnswer(call -> {
            call.<java.util.function.Consumer<String>>getArgument(2).accept(secret);
            return new IssuedApiKey(new ApiKeyView(UUID.randomUUID(), "bootstrap-admin", "tf_SSS…SSSS", null, null,
                    Set.of("admin"), List.of(), null, null, Instant.parse("2026-12-07T10:00:00Z"), null,
                    Instant.parse("2026-12-06T10:00:00Z"), null), secret);
        });

        new BootstrapAdminKey(keys, properties(file)).run(null);

        assertThat(Files.readString(file).strip()).isEqualTo(secret);
        assertThat(Files.getPosixFilePermissions(file)).hasSize(2);
        assertThat(output.getAll()).contains("Bootstrap admin key", file.toString()).doesNotContain(secret);
        verify(keys).issueBootstrapAdminKey(eq(Duration.ofHours(24)), eq(Actor.SYSTEM), any());
    }

    @Test
    void noKeyIsIssuedByItselfOnceAnAdminKeyEverExistedEvenWhenNoneIsUsable(@TempDir Path directory,
            CapturedOutput output) {
        when(keys.hasEverHadAdminKey()).thenReturn(true);
        when(keys.hasUsableAdminKey()).thenReturn(false);

        new BootstrapAdminKey(keys, properties(directory.resolve("admin-key"))).run(null);

        verify(keys, never()).issueBootstrapAdminKey(any(), any(), any());
        assertThat(Files.exists(directory.resolve("admin-key"))).isFalse();
        assertThat(output.getAll()).contains("No usable admin key", "./factory admin-key");
    }

    private static GatewayProperties properties(Path file) {
        return new Binder(new MapConfigurationPropertySource(Map.of("tokenfactory.gateway.api-keys.pepper",
                ApiKeySecretsTests.PEPPER, "tokenfactory.gateway.api-keys.bootstrap-admin-key-file", file.toString())))
            .bindOrCreate("tokenfactory.gateway", GatewayProperties.class);
    }

}
