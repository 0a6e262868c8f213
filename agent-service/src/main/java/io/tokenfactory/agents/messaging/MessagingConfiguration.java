package io.tokenfactory.agents.messaging;

import java.time.Clock;
import java.time.Duration;

import io.tokenfactory.agents.AgentProperties;
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
 * Consuming budget reports with retries for transient failures and poison messages parked
 * as dead letters ({@link DeadLetterConfiguration}); publishing
 * {@code agent-state-changed} through the transactional outbox (see
 * {@link BrokerOutboxRelay}).
 */
@Configuration(proxyBeanMethods = false)
@Import({ TransactionalOutboxConfiguration.class, DeadLetterConfiguration.class, DeadLetterController.class })
class MessagingConfiguration {

    @Bean
    ConsumerSettings consumerSettings(AgentProperties properties) {
        return properties.consumers();
    }

    @Bean
    OutboxSettings outboxSettings(AgentProperties properties) {
        return properties.outbox();
    }

    @Bean
    MessagingHousekeeping messagingHousekeeping(JdbcTemplate jdbc, AgentProperties properties, Clock clock) {
        return new MessagingHousekeeping(jdbc, properties.outbox().archiveRetention(), Duration.ofHours(1), clock);
    }

}
