package io.tokenfactory.metering.messaging;

import java.time.Duration;

import io.tokenfactory.support.events.ConsumerRetry;
import io.tokenfactory.support.events.ProcessedEvents;

import org.springframework.cloud.stream.annotation.StreamRetryTemplate;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.retry.RetryTemplate;
import org.springframework.jdbc.core.JdbcTemplate;

@Configuration(proxyBeanMethods = false)
class ConsumerConfiguration {

    @StreamRetryTemplate
    RetryTemplate consumerRetry() {
        return ConsumerRetry.retryTransientFailures(3, Duration.ofMillis(500));
    }

    @Bean
    ProcessedEvents processedEvents(JdbcTemplate jdbc) {
        return new ProcessedEvents(jdbc);
    }
}
