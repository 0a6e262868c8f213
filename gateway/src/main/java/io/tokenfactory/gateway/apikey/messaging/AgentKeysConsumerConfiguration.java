package io.tokenfactory.gateway.apikey.messaging;

import java.util.function.Consumer;

import io.tokenfactory.contracts.AgentStateChanged;
import io.tokenfactory.contracts.EventTypes;
import io.tokenfactory.gateway.apikey.ApiKeys;
import io.tokenfactory.support.deadletter.PoisonMessages;
import io.tokenfactory.support.events.RejectedEventException;

import org.springframework.cloud.function.cloudevent.CloudEventMessageUtils;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.messaging.Message;

/**
 * Binds {@code tokenfactory.agent-state-changed} (group {@code gateway}): a retired
 * agent's keys stop working here at once, whether or not agent-service managed to revoke
 * them itself. Revoking twice changes nothing, so redelivery is harmless.
 */
@Configuration(proxyBeanMethods = false)
class AgentKeysConsumerConfiguration {

    @Bean
    Consumer<Message<AgentStateChanged>> agentStateChanged(ApiKeys keys, PoisonMessages poison) {
        return poison.guard("agentStateChanged-in-0", message -> {
            String type = CloudEventMessageUtils.getType(message);
            if (type != null && !EventTypes.AGENT_STATE_CHANGED.equals(type)) {
                throw new RejectedEventException("unexpected event type " + type);
            }
            Object payload = message.getPayload();
            if (!(payload instanceof AgentStateChanged changed) || changed.agentId() == null || changed.to() == null) {
                throw new RejectedEventException("payload is not a readable agent-state-changed record");
            }
            if ("RETIRED".equals(changed.to())) {
                keys.revokeAgentKeys(changed.agentId());
            }
        });
    }

}
