package io.tokenfactory.billing.charging.messaging;

import java.util.function.Consumer;

import io.tokenfactory.billing.charging.IdleCharging;
import io.tokenfactory.billing.charging.UsageCharging;
import io.tokenfactory.contracts.EventTypes;
import io.tokenfactory.contracts.IdleEnergyAllocated;
import io.tokenfactory.contracts.UsageMetered;
import io.tokenfactory.support.deadletter.PoisonMessages;
import io.tokenfactory.support.events.RejectedEventException;

import org.springframework.cloud.function.cloudevent.CloudEventMessageUtils;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.messaging.Message;

/**
 * Binds {@code tokenfactory.usage-metered} and {@code tokenfactory.idle-energy-allocated}
 * (group {@code billing-service}) to the charging services. One usage-metered message
 * already carries a batch of records, so each message is one transaction. Unreadable or
 * impossible events are rejected and parked as dead letters ({@link PoisonMessages}).
 */
@Configuration(proxyBeanMethods = false)
class ChargingConsumerConfiguration {

    @Bean
    Consumer<Message<UsageMetered>> usageMetered(UsageCharging charging, PoisonMessages poison) {
        return poison.guard("usageMetered-in-0",
                message -> charging.charge(payload(message, EventTypes.USAGE_METERED, UsageMetered.class)));
    }

    @Bean
    Consumer<Message<IdleEnergyAllocated>> idleEnergyAllocated(IdleCharging charging, PoisonMessages poison) {
        return poison.guard("idleEnergyAllocated-in-0", message -> charging
            .charge(payload(message, EventTypes.IDLE_ENERGY_ALLOCATED, IdleEnergyAllocated.class)));
    }

    private static <T> T payload(Message<?> message, String expectedType, Class<T> recordType) {
        String type = CloudEventMessageUtils.getType(message);
        if (!expectedType.equals(type)) {
            throw new RejectedEventException("unexpected event type " + type + " where " + expectedType + " belongs");
        }
        // a body that is not valid JSON for the record arrives unconverted, as bytes
        if (!recordType.isInstance(message.getPayload())) {
            throw new RejectedEventException("payload is not a readable " + expectedType + " record");
        }
        return recordType.cast(message.getPayload());
    }

}
