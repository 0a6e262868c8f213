package io.tokenfactory.gateway.apikey;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import io.tokenfactory.gateway.GatewayProperties;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * Key secrets: their form, the tag that tells a forged one without the database, and the
 * peppered hash.
 */
class ApiKeySecretsTests {

    static final String PEPPER = "q3mV9nZ0e1kJc7wXb2YtR5uH8sLpA4dGfE6iNoQrS0=";

    private final ApiKeySecrets secrets = secrets(PEPPER);

    @Test
    void aSecretIsThePrefixRandomBitsAndATagAndItsHintShowsOnlyItsEnds() {
        ApiKeySecrets.Secret secret = secrets.generate();

        assertThat(secret.value()).startsWith("tf_").hasSize(ApiKeySecrets.LENGTH).matches("tf_[A-Za-z0-9_-]{51}");
        assertThat(secret.hint())
            .isEqualTo(secret.value().substring(0, 6) + "…" + secret.value().substring(ApiKeySecrets.LENGTH - 4));
        assertThat(secret.hash()).isEqualTo(secrets.hash(secret.value())).hasSize(64).doesNotContain(secret.value());
        assertThat(secrets.generate().value()).isNotEqualTo(secret.value());
    }

    @Test
    void aSecretThisGatewayMadeLooksGenuineAndAnyChangeToItDoesNot() {
        String secret = secrets.generate().value();

        assertThat(secrets.looksGenuine(secret)).isTrue();
        assertThat(secrets.looksGenuine(changedAt(secret, 10))).isFalse();
        assertThat(secrets.looksGenuine(changedAt(secret, secret.length() - 1))).isFalse();
        assertThat(secrets.looksGenuine(secret + "A")).isFalse();
        assertThat(secrets.looksGenuine("tf_" + "A".repeat(ApiKeySecrets.LENGTH - 3))).isFalse();
    }

    @Test
    void anotherPepperNeitherRecognisesTheSecretNorHashesItAlike() {
        ApiKeySecrets other = secrets("another-pepper-of-at-least-32-characters-xx");
        String secret = secrets.generate().value();

        assertThat(other.looksGenuine(secret)).isFalse();
        assertThat(other.hash(secret)).isNotEqualTo(secrets.hash(secret));
    }

    private static String changedAt(String secret, int index) {
        char other = secret.charAt(index) == 'A' ? 'B' : 'A';
        return secret.substring(0, index) + other + secret.substring(index + 1);
    }

    static ApiKeySecrets secrets(String pepper) {
        GatewayProperties properties = new Binder(
                new MapConfigurationPropertySource(Map.of("tokenfactory.gateway.api-keys.pepper", pepper)))
            .bindOrCreate("tokenfactory.gateway", GatewayProperties.class);
        return new ApiKeySecrets(properties);
    }

}
