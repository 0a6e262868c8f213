package io.tokenfactory.inference.messaging;

import io.tokenfactory.inference.InferenceProperties;
import java.time.Clock;
import java.time.Duration;

import io.tokenfactory.support.events.BrokerOutboxRelay;
import io.tokenfactory.support.events.MessagingHousekeeping;
import io.tokenfactory.support.events.OutboxFailureLogging;
import io.tokenfactory.support.events.OutboxResubmission;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.modulith.events.IncompleteEventPublications;

/** Usage events leave through the transactional outbox (see {@link BrokerOutboxRelay}). */
@Configuration(proxyBeanMethods = false)
class OutboxConfiguration {

    @Bean
    BrokerOutboxRelay brokerOutboxRelay(StreamBridge streamBridge, InferenceProperties properties,
            @Value("${spring.application.name}") String serviceName) {
        return new BrokerOutboxRelay(streamBridge, "urn:tokenfactory:" + serviceName, properties.outbox().confirmTimeout());
    }

    @Bean
    OutboxFailureLogging outboxFailureLogging() {
        return new OutboxFailureLogging();
    }

    @Bean
    MessagingHousekeeping messagingHousekeeping(JdbcTemplate jdbc, InferenceProperties properties) {
        return new MessagingHousekeeping(jdbc, properties.outbox().archiveRetention(), Duration.ofHours(1), Clock.systemUTC());
    }

    @Bean
    OutboxResubmission outboxResubmission(IncompleteEventPublications incompletePublications,
            InferenceProperties properties) {
        return new OutboxResubmission(incompletePublications, properties.outbox().resubmitInterval(),
                properties.outbox().resubmitAfter());
    }
}
