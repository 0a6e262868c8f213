package io.tokenfactory.metering.messaging;

import java.time.Clock;
import java.time.Duration;

import io.tokenfactory.metering.MeteringProperties;
import io.tokenfactory.support.deadletter.DeadLetterConfiguration;
import io.tokenfactory.support.deadletter.web.DeadLetterController;
import io.tokenfactory.support.events.BrokerOutboxRelay;
import io.tokenfactory.support.events.ConsumerRetry;
import io.tokenfactory.support.events.ConsumerSettings;
import io.tokenfactory.support.events.MessagingHousekeeping;
import io.tokenfactory.support.events.OutboxSettings;
import io.tokenfactory.support.events.TransactionalOutboxConfiguration;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Consuming: event ids kept for deduplication, batches retried through outages, poison
 * deliveries parked as dead letters ({@link DeadLetterConfiguration}). Producing:
 * usage-metered and idle-energy-allocated leave through the transactional outbox (see
 * {@link BrokerOutboxRelay}).
 */
@Configuration(proxyBeanMethods = false)
@Import({ TransactionalOutboxConfiguration.class, DeadLetterConfiguration.class, DeadLetterController.class })
class MessagingConfiguration {

    @Bean
    BatchRetry batchRetry(ConsumerRetry retry) {
        return new BatchRetry(retry);
    }

    @Bean
    ConsumerSettings consumerSettings(MeteringProperties properties) {
        return properties.consumers();
    }

    @Bean
    OutboxSettings outboxSettings(MeteringProperties properties) {
        return properties.outbox();
    }

    @Bean
    MessagingHousekeeping messagingHousekeeping(JdbcTemplate jdbc, MeteringProperties properties, Clock clock) {
        return new MessagingHousekeeping(jdbc, properties.processedEventRetention(), Duration.ofHours(1), clock);
    }

}
