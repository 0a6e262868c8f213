package io.tokenfactory.metering.messaging;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;

import io.tokenfactory.metering.MeteringProperties;
import io.tokenfactory.support.events.BrokerOutboxRelay;
import io.tokenfactory.support.events.MessagingHousekeeping;
import io.tokenfactory.support.events.OutboxSettings;
import io.tokenfactory.support.events.TransactionalOutboxConfiguration;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * Consuming: event ids kept for deduplication, batches retried through outages.
 * Producing: usage-metered and idle-energy-allocated leave through the transactional
 * outbox (see {@link BrokerOutboxRelay}).
 */
@Configuration(proxyBeanMethods = false)
@Import(TransactionalOutboxConfiguration.class)
class MessagingConfiguration {

    @Bean
    BatchRetry batchRetry() {
        return new BatchRetry(Duration.ofMillis(200), Duration.ofSeconds(30));
    }

    /**
     * On Kafka, for the batched bindings: a batch whose consumer threw (shutdown, or a
     * dead letter that could not be parked — database outages are already retried inside)
     * is handed to it again after a pause, for as long as it fails, never skipped. The
     * container's default would give up after ten tries and commit past the batch.
     */
    @Bean
    CommonErrorHandler redeliverFailedBatches() {
        ExponentialBackOff backOff = new ExponentialBackOff(200, 2);
        backOff.setMaxInterval(30_000);
        backOff.setMaxElapsedTime(Long.MAX_VALUE);
        DefaultErrorHandler handler = new DefaultErrorHandler(backOff);
        // every failure is worth another try: none means "skip this batch"
        handler.setClassifications(Map.of(), true);
        return handler;
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
