package io.tokenfactory.support.events;

import java.time.Clock;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.modulith.events.IncompleteEventPublications;

import tools.jackson.databind.json.JsonMapper;

/**
 * The sending half of the outbox for a producing service, in one place: the relay that
 * publishes after commit ({@link BrokerOutboxRelay}), the log line for a failed
 * publication, the periodic resubmission of incomplete ones and the gauges of the
 * backlog. A service imports it ({@code @Import}) and exposes its {@link OutboxSettings}
 * as a bean. The CloudEvents {@code source} is
 * {@code urn:tokenfactory:<spring.application.name>}.
 */
@Configuration(proxyBeanMethods = false)
public class TransactionalOutboxConfiguration {

    @Bean
    BrokerOutboxRelay brokerOutboxRelay(StreamBridge streamBridge, OutboxSettings settings,
            @Value("${spring.application.name}") String serviceName,
            @Value("${spring.rabbitmq.username:guest}") String brokerUser, Environment environment,
            ObjectProvider<JsonMapper> json, MeterRegistry meters) {
        return new BrokerOutboxRelay(streamBridge, "urn:tokenfactory:" + serviceName, settings,
                EventBackbone.of(environment), brokerUser, json.getIfAvailable(() -> JsonMapper.builder().build()),
                meters);
    }

    @Bean
    CloudEventBatchConverter cloudEventBatchConverter() {
        return new CloudEventBatchConverter();
    }

    @Bean
    OutboxFailureLogging outboxFailureLogging() {
        return new OutboxFailureLogging();
    }

    @Bean
    OutboxBacklogGauge outboxBacklogGauge(JdbcTemplate jdbc, ObjectProvider<Clock> clock, MeterRegistry meters,
            @Value("${spring.application.name}") String serviceName) {
        return new OutboxBacklogGauge(jdbc, clock.getIfAvailable(Clock::systemUTC), meters, serviceName);
    }

    @Bean
    OutboxResubmission outboxResubmission(IncompleteEventPublications incompletePublications, OutboxSettings settings) {
        return new OutboxResubmission(incompletePublications, settings.resubmitInterval(), settings.resubmitAfter());
    }

}
