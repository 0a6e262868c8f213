package io.tokenfactory.billing.alert.messaging;

import java.util.function.Consumer;

import io.tokenfactory.billing.alert.AlertRaising;
import io.tokenfactory.contracts.AgentStateChanged;
import io.tokenfactory.contracts.EventTypes;
import io.tokenfactory.support.deadletter.PoisonMessages;
import io.tokenfactory.support.events.RejectedEventException;

import org.springframework.cloud.function.cloudevent.CloudEventMessageUtils;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.messaging.Message;

/**
 * Binds {@code tokenfactory.agent-state-changed} (group {@code billing-service}): an
 * agent paused because its department's budget is exceeded is an alert. Each event is
 * consumed once ({@code processed_event}); unreadable ones are parked as dead letters
 * ({@link PoisonMessages}).
 */
@Configuration(proxyBeanMethods = false)
class AlertConsumerConfiguration {

    @Bean
    Consumer<Message<AgentStateChanged>> agentStateChanged(AlertRaising alerts, PoisonMessages poison) {
        return poison.guard("agentStateChanged-in-0", message -> {
            String type = CloudEventMessageUtils.getType(message);
            if (!EventTypes.AGENT_STATE_CHANGED.equals(type)) {
                throw new RejectedEventException(
                        "unexpected event type " + type + " where " + EventTypes.AGENT_STATE_CHANGED + " belongs");
            }
            // a body that is not valid JSON for the record arrives unconverted, as bytes
            Object payload = message.getPayload();
            if (!(payload instanceof AgentStateChanged changed) || changed.eventId() == null
                    || changed.agentId() == null || changed.departmentId() == null || changed.to() == null) {
                throw new RejectedEventException("payload is not a readable agent-state-changed record");
            }
            alerts.onAgentStateChanged(changed);
        });
    }

}
