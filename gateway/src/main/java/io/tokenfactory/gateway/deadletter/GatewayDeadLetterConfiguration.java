package io.tokenfactory.gateway.deadletter;

import io.tokenfactory.gateway.GatewayProperties;
import io.tokenfactory.support.deadletter.DeadLetterConfiguration;
import io.tokenfactory.support.events.ConsumerSettings;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * The consuming plumbing every consuming service shares ({@link DeadLetterConfiguration}:
 * the retry policy, the guard around each consumer, the dead-letter store and its
 * metrics) with the gateway's own settings.
 */
@Configuration(proxyBeanMethods = false)
@Import(DeadLetterConfiguration.class)
class GatewayDeadLetterConfiguration {

    @Bean
    ConsumerSettings consumerSettings(GatewayProperties properties) {
        return properties.consumers();
    }

}
