package io.tokenfactory.inference.messaging;

import java.time.Clock;
import java.time.Duration;

import io.tokenfactory.inference.InferenceProperties;
import io.tokenfactory.support.events.BrokerOutboxRelay;
import io.tokenfactory.support.events.MessagingHousekeeping;
import io.tokenfactory.support.events.OutboxSettings;
import io.tokenfactory.support.events.TransactionalOutboxConfiguration;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Usage events leave through the transactional outbox (see {@link BrokerOutboxRelay}).
 */
@Configuration(proxyBeanMethods = false)
@Import(TransactionalOutboxConfiguration.class)
class OutboxConfiguration {

    @Bean
    OutboxSettings outboxSettings(InferenceProperties properties) {
        return properties.outbox();
    }

    @Bean
    MessagingHousekeeping messagingHousekeeping(JdbcTemplate jdbc, InferenceProperties properties, Clock clock) {
        return new MessagingHousekeeping(jdbc, properties.outbox().archiveRetention(), Duration.ofHours(1), clock);
    }

}
