package io.tokenfactory.metering.messaging;

import java.time.Clock;
import java.time.Duration;

import io.tokenfactory.metering.MeteringProperties;
import io.tokenfactory.support.events.BrokerOutboxRelay;
import io.tokenfactory.support.events.MessagingHousekeeping;
import io.tokenfactory.support.events.OutboxSettings;
import io.tokenfactory.support.events.TransactionalOutboxConfiguration;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Consuming: event ids kept for deduplication, batches retried through outages. Producing: usage-metered and
 * idle-energy-allocated leave through the transactional outbox (see {@link BrokerOutboxRelay}).
 */
@Configuration(proxyBeanMethods = false)
@Import(TransactionalOutboxConfiguration.class)
class MessagingConfiguration {

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    BatchRetry batchRetry() {
        return new BatchRetry(Duration.ofMillis(200), Duration.ofSeconds(30));
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
