package io.tokenfactory.gateway.budget.messaging;

import java.time.Clock;
import java.time.Duration;
import java.util.function.Consumer;

import io.tokenfactory.contracts.BudgetStatusChanged;
import io.tokenfactory.contracts.EventTypes;
import io.tokenfactory.gateway.GatewayProperties;
import io.tokenfactory.gateway.budget.BudgetGuard;
import io.tokenfactory.support.deadletter.PoisonMessages;
import io.tokenfactory.support.events.MessagingHousekeeping;
import io.tokenfactory.support.events.ProcessedEvents;
import io.tokenfactory.support.events.RejectedEventException;

import org.springframework.cloud.function.cloudevent.CloudEventMessageUtils;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.messaging.Message;

/**
 * Binds {@code tokenfactory.budget-status-changed} (group {@code gateway}) to
 * {@link BudgetGuard}. A poison message is parked as a dead letter
 * ({@link PoisonMessages}).
 */
@Configuration(proxyBeanMethods = false)
class BudgetStatusConsumerConfiguration {

    @Bean
    Consumer<Message<BudgetStatusChanged>> budgetStatusChanged(BudgetGuard guard, PoisonMessages poison) {
        return poison.guard("budgetStatusChanged-in-0", message -> {
            String type = CloudEventMessageUtils.getType(message);
            if (type != null && !EventTypes.BUDGET_STATUS_CHANGED.equals(type)) {
                throw new RejectedEventException("unexpected event type " + type);
            }
            // a body that is not valid JSON for the record arrives unconverted, as bytes
            Object payload = message.getPayload();
            if (!(payload instanceof BudgetStatusChanged report) || report.departmentId() == null
                    || report.state() == null || report.occurredAt() == null || report.eventId() == null) {
                throw new RejectedEventException("payload is not a readable budget-status-changed record");
            }
            guard.apply(report);
        });
    }

    @Bean
    ProcessedEvents processedEvents(JdbcTemplate jdbc) {
        return new ProcessedEvents(jdbc);
    }

    @Bean
    MessagingHousekeeping messagingHousekeeping(JdbcTemplate jdbc, GatewayProperties properties, Clock clock) {
        return new MessagingHousekeeping(jdbc, properties.processedEventRetention(), Duration.ofHours(1), clock);
    }

}
