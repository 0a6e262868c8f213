package io.tokenfactory.gateway.apikey;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

/** A key's status at a moment, and the models it may use. */
class ApiKeyViewTests {

    private static final Instant NOW = Instant.parse("2026-11-05T10:00:00Z");

    @Test
    void aKeyIsActiveUntilTheInstantItExpiresAndExpiredFromThatInstantOn() {
        ApiKeyView expiring = key(NOW.plusSeconds(1), null, List.of());

        assertThat(expiring.statusAt(NOW)).isEqualTo(ApiKeyView.Status.ACTIVE);
        assertThat(expiring.statusAt(NOW.plusSeconds(1))).isEqualTo(ApiKeyView.Status.EXPIRED);
        assertThat(expiring.statusAt(NOW.plusSeconds(2))).isEqualTo(ApiKeyView.Status.EXPIRED);
        assertThat(key(null, null, List.of()).statusAt(Instant.MAX)).isEqualTo(ApiKeyView.Status.ACTIVE);
    }

    @Test
    void aRevokedKeyIsRevokedEvenBeforeItWasRevokedAndEvenOnceItHasExpired() {
        ApiKeyView revoked = key(NOW.minusSeconds(60), NOW, List.of());

        assertThat(revoked.statusAt(NOW.plusSeconds(3600))).isEqualTo(ApiKeyView.Status.REVOKED);
        assertThat(revoked.statusAt(NOW.minusSeconds(3600))).isEqualTo(ApiKeyView.Status.REVOKED);
    }

    @Test
    void aKeyWithoutAllowedModelsMayUseAnyAndOtherwiseOnlyThoseNamedExactly() {
        assertThat(key(null, null, List.of()).allowsModel("anything")).isTrue();

        ApiKeyView restricted = key(null, null, List.of("byte-lm-moby", "all-minilm-l6-v2"));
        assertThat(restricted.allowsModel("byte-lm-moby")).isTrue();
        assertThat(restricted.allowsModel("Byte-LM-Moby")).isFalse();
        assertThat(restricted.allowsModel("llama-3.1-8b")).isFalse();
    }

    private static ApiKeyView key(Instant expiresAt, Instant revokedAt, List<String> models) {
        return new ApiKeyView(UUID.randomUUID(), "k", "tf_abc…wxyz", UUID.randomUUID(), null, Set.of("inference"),
                models, null, null, expiresAt, revokedAt, NOW.minusSeconds(86_400), null);
    }

}
