package io.tokenfactory.metering.messaging;

import java.time.Clock;
import java.time.Duration;

import io.tokenfactory.metering.MeteringProperties;
import io.tokenfactory.support.events.ConsumerRetry;
import io.tokenfactory.support.events.MessagingHousekeeping;
import io.tokenfactory.support.events.ProcessedEvents;

import org.springframework.cloud.stream.annotation.StreamRetryTemplate;
import org.springframework.context.annotation.Bean;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.retry.RetryTemplate;
import org.springframework.jdbc.core.JdbcTemplate;

@Configuration(proxyBeanMethods = false)
class ConsumerConfiguration {

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    MessagingHousekeeping messagingHousekeeping(JdbcTemplate jdbc, MeteringProperties properties, Clock clock) {
        return new MessagingHousekeeping(jdbc, properties.processedEventRetention(), Duration.ofHours(1), clock);
    }

    @StreamRetryTemplate
    RetryTemplate consumerRetry() {
        return ConsumerRetry.retryTransientFailures(Duration.ofMillis(500), Duration.ofSeconds(30));
    }

    @Bean
    ProcessedEvents processedEvents(JdbcTemplate jdbc) {
        return new ProcessedEvents(jdbc);
    }
}
