package io.tokenfactory.inference.usage;

import java.time.Duration;
import java.util.UUID;

import io.tokenfactory.contracts.UsageRecorded;
import io.tokenfactory.inference.InferenceProperties;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Writes a finished request to the request log and, in the same transaction, its {@code usage-recorded} event
 * to the outbox: either both exist or neither does, so no token is ever served unmetered.
 */
@Service
public class UsageRecording {

    private final InferenceRequestRepository requests;
    private final ApplicationEventPublisher events;
    private final InferenceProperties properties;

    UsageRecording(InferenceRequestRepository requests, ApplicationEventPublisher events, InferenceProperties properties) {
        this.requests = requests;
        this.events = events;
        this.properties = properties;
    }

    @Transactional
    public UsageRecorded record(CompletedInference completed) {
        UUID eventId = UUID.randomUUID();
        requests.save(new InferenceRequest(completed, properties.node(), eventId));
        UsageRecorded usage = new UsageRecorded(eventId, completed.completedAt(), completed.requestId(),
                completed.departmentId(), completed.apiKeyId(), completed.agentId(), completed.agentRunId(),
                completed.model(), completed.backend(), properties.node(), completed.device(),
                completed.promptTokens(), completed.completionTokens(), completed.outcome(),
                Duration.between(completed.startedAt(), completed.completedAt()).toMillis(),
                completed.timeToFirstTokenMs(), completed.energyJoules(), completed.energySource(),
                completed.acceleratorSeconds());
        events.publishEvent(usage);
        return usage;
    }
}
