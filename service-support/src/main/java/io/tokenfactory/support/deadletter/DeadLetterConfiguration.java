package io.tokenfactory.support.deadletter;

import java.time.Clock;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import io.tokenfactory.support.audit.AuditTrail;
import io.tokenfactory.support.events.EventProducerSettings;
import io.tokenfactory.support.events.EventProducers;
import io.tokenfactory.support.events.ConsumerRetry;
import io.tokenfactory.support.events.ConsumerSettings;
import io.tokenfactory.support.events.EventBackbone;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.cloud.stream.config.BindingServiceProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.cloud.function.context.FunctionCatalog;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.backoff.ExponentialBackOff;

import tools.jackson.databind.json.JsonMapper;

/**
 * The consuming half of the messaging plumbing for a consuming service, in one place: the
 * retry policy ({@link ConsumerRetry}), the guard every consumer is wrapped in
 * ({@link PoisonMessages}), the dead-letter store with its metrics, and what an
 * administrator does with dead letters ({@link DeadLetters}). A service imports it
 * ({@code @Import}) and exposes its {@link ConsumerSettings} as a bean; a servlet service
 * imports {@code DeadLetterController} too.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(EventProducerSettings.class)
public class DeadLetterConfiguration {

    @Bean
    ConsumerRetry consumerRetry(ConsumerSettings settings) {
        return new ConsumerRetry(settings);
    }

    @Bean
    DeadLetterStore deadLetterStore(JdbcTemplate jdbc, JsonMapper json) {
        return new DeadLetterStore(jdbc, json);
    }

    @Bean
    DeadLetterGauge deadLetterGauge(DeadLetterStore store, MeterRegistry meters,
            @Value("${spring.application.name}") String service) {
        return new DeadLetterGauge(store, meters, service);
    }

    @Bean
    DeadLetterParking deadLetterParking(DeadLetterStore store, DeadLetterGauge gauge, ConsumerRetry retry,
            BindingServiceProperties bindings, MeterRegistry meters,
            @Value("${spring.application.name}") String service, Clock clock) {
        return new DeadLetterParking(store, gauge, retry, bindings, meters, service, clock);
    }

    /** Who may publish what each consumer takes ({@link EventProducers}). */
    @Bean
    EventProducers eventProducers(EventProducerSettings settings, Environment environment,
            @Value("${spring.application.name}") String service,
            @Value("${spring.rabbitmq.username:guest}") String brokerUser) {
        return EventProducers.of(settings, EventBackbone.of(environment), service, brokerUser);
    }

    @Bean
    PoisonMessages poisonMessages(ConsumerRetry retry, DeadLetterParking parking, JsonMapper json,
            EventProducers producers) {
        return new PoisonMessages(retry, parking, json, producers);
    }

    @Bean
    DeadLetters deadLetters(DeadLetterStore store, DeadLetterGauge gauge, BindingServiceProperties bindings,
            FunctionCatalog functions, AuditTrail audit, PlatformTransactionManager transactionManager,
            @Value("${spring.application.name}") String service, Clock clock) {
        return new DeadLetters(store, gauge, new ConsumerFunctions(bindings, functions), audit,
                new TransactionTemplate(transactionManager), service, clock);
    }

    /**
     * On Kafka, for every consumer binding
     * ({@code common-error-handler-bean-name: redeliverFailedDeliveries}): what a
     * consumer throws — only a shutdown mid-retry, or a dead letter that could not be
     * parked — is handed to it again after a pause, for as long as it fails, never
     * skipped. The container's default would give up after ten tries and commit past it.
     */
    @Bean
    CommonErrorHandler redeliverFailedDeliveries() {
        ExponentialBackOff backOff = new ExponentialBackOff(200, 2);
        backOff.setMaxInterval(30_000);
        backOff.setMaxElapsedTime(Long.MAX_VALUE);
        DefaultErrorHandler handler = new DefaultErrorHandler(backOff);
        // every failure is worth another try: none means "skip this message"
        handler.setClassifications(Map.of(), true);
        return handler;
    }

}
