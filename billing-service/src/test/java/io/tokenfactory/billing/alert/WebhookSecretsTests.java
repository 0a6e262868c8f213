package io.tokenfactory.billing.alert;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** The secrets subscribers get and the signature they check. */
class WebhookSecretsTests {

    @Test
    void signsTheTimestampAndTheRawBodyWithHmacSha256() {
        // computed outside Java: python3 -c "import hmac,hashlib;
        // print(hmac.new(b'whsec_test-secret', b'1700000000.{\"event\":\"PING\"}',
        // hashlib.sha256).hexdigest())"
        assertThat(WebhookSecrets.signature("whsec_test-secret", 1_700_000_000L, "{\"event\":\"PING\"}"))
            .isEqualTo("sha256=5a943ca774c7efeabca2841149153894f520c272655ff51eaacab08f612cf9f6");
    }

    @Test
    void anotherTimestampOrBodyOrSecretGivesAnotherSignature() {
        String signature = WebhookSecrets.signature("whsec_a", 1_700_000_000L, "{}");

        assertThat(WebhookSecrets.signature("whsec_a", 1_700_000_001L, "{}")).isNotEqualTo(signature);
        assertThat(WebhookSecrets.signature("whsec_a", 1_700_000_000L, "{ }")).isNotEqualTo(signature);
        assertThat(WebhookSecrets.signature("whsec_b", 1_700_000_000L, "{}")).isNotEqualTo(signature);
    }

    @Test
    void secretsAreRandomAndOnlyTheirLastCharactersAreHinted() {
        Set<String> secrets = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            secrets.add(WebhookSecrets.generate());
        }
        assertThat(secrets).hasSize(100).allSatisfy(secret -> assertThat(secret).matches("whsec_[A-Za-z0-9_-]{43}"));
        String secret = secrets.iterator().next();
        assertThat(WebhookSecrets.hint(secret)).isEqualTo("whsec_…" + secret.substring(secret.length() - 4));
    }

}
