package io.tokenfactory.contracts;

import java.time.Instant;
import java.util.UUID;

/**
 * agent-service → anyone: an agent moved between lifecycle states (e.g. RUNNING →
 * PAUSED).
 */
public record AgentStateChanged(UUID eventId, Instant occurredAt, UUID agentId, UUID departmentId, String from,
        String to, String reason) implements TokenFactoryEvent {

    @Override
    public String subject() {
        return "agent/" + agentId;
    }
}
