package io.tokenfactory.agents.messaging;

import java.time.Clock;
import java.time.Duration;

import io.tokenfactory.agents.AgentProperties;
import io.tokenfactory.support.events.BrokerOutboxRelay;
import io.tokenfactory.support.events.ConsumerRetry;
import io.tokenfactory.support.events.MessagingHousekeeping;
import io.tokenfactory.support.events.OutboxSettings;
import io.tokenfactory.support.events.TransactionalOutboxConfiguration;

import org.springframework.cloud.stream.annotation.StreamRetryTemplate;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.retry.RetryTemplate;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Consuming budget reports with retries for transient failures; publishing
 * {@code agent-state-changed} through the transactional outbox (see
 * {@link BrokerOutboxRelay}).
 */
@Configuration(proxyBeanMethods = false)
@Import(TransactionalOutboxConfiguration.class)
class MessagingConfiguration {

    @StreamRetryTemplate
    RetryTemplate consumerRetry() {
        return ConsumerRetry.retryTransientFailures(Duration.ofMillis(500), Duration.ofSeconds(30));
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
