package io.tokenfactory.billing.messaging;

import java.time.Clock;
import java.time.Duration;

import io.tokenfactory.billing.BillingProperties;
import io.tokenfactory.support.deadletter.DeadLetterConfiguration;
import io.tokenfactory.support.deadletter.web.DeadLetterController;
import io.tokenfactory.support.events.BrokerOutboxRelay;
import io.tokenfactory.support.events.ConsumerSettings;
import io.tokenfactory.support.events.MessagingHousekeeping;
import io.tokenfactory.support.events.OutboxSettings;
import io.tokenfactory.support.events.TransactionalOutboxConfiguration;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Consuming: transient failures retried, poison messages parked as dead letters
 * ({@link DeadLetterConfiguration}). Producing: {@code budget-status-changed} leaves
 * through the transactional outbox (see {@link BrokerOutboxRelay}).
 */
@Configuration(proxyBeanMethods = false)
@Import({ TransactionalOutboxConfiguration.class, DeadLetterConfiguration.class, DeadLetterController.class })
class MessagingConfiguration {

    @Bean
    ConsumerSettings consumerSettings(BillingProperties properties) {
        return properties.consumers();
    }

    @Bean
    OutboxSettings outboxSettings(BillingProperties properties) {
        return properties.outbox();
    }

    @Bean
    MessagingHousekeeping messagingHousekeeping(JdbcTemplate jdbc, BillingProperties properties, Clock clock) {
        return new MessagingHousekeeping(jdbc, properties.outbox().archiveRetention(), Duration.ofHours(1), clock);
    }

}
