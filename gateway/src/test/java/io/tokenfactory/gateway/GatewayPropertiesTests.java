package io.tokenfactory.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.context.annotation.Configuration;

/** The gateway refuses to start on settings that would quietly weaken it. */
class GatewayPropertiesTests {

    private final ApplicationContextRunner gateway = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
        .withUserConfiguration(Bound.class);

    @Test
    void refusesAnApiKeyPepperLeftAtTheSecretTemplatesPlaceholderOrTooShortToBeRandom() {
        gateway.withPropertyValues("tokenfactory.gateway.api-keys.pepper=REPLACE_ME")
            .run(context -> assertThat(context).hasFailed()
                .getFailure()
                .rootCause()
                .hasMessageContaining("apiKeys.pepper")
                .hasMessageContaining("at least 32 characters"));
        gateway.withPropertyValues("tokenfactory.gateway.api-keys.pepper=password-of-the-month")
            .run(context -> assertThat(context).hasFailed());
    }

    @Test
    void takesARandomPepperOrNoneAtAll() {
        gateway.withPropertyValues("tokenfactory.gateway.api-keys.pepper=q3mV9nZ0e1kJc7wXb2YtR5uH8sLpA4dGfE6iNoQrS0=")
            .run(context -> assertThat(context).hasNotFailed());
        gateway.withPropertyValues("tokenfactory.gateway.api-keys.pepper=")
            .run(context -> assertThat(context).hasNotFailed()
                .getBean(GatewayProperties.class)
                .extracting(p -> p.apiKeys().pepper())
                .isEqualTo(""));
        gateway.run(context -> assertThat(context).hasNotFailed());
    }

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(GatewayProperties.class)
    static class Bound {

    }

}
