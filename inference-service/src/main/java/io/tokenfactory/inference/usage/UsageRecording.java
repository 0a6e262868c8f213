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
        requireMeterable(completed);
        UUID eventId = UUID.randomUUID();
        requests.saveAndFlush(new InferenceRequest(completed, properties.node(), eventId));
        UsageRecorded usage = new UsageRecorded(eventId, completed.completedAt(), completed.requestId(),
                completed.departmentId(), completed.apiKeyId(), completed.agentId(), completed.agentRunId(),
                completed.model(), completed.backend(), properties.node(), completed.device(),
                completed.promptTokens(), completed.completionTokens(), completed.outcome(),
                // a clock step must not produce a negative latency that metering would reject
                Math.max(0, Duration.between(completed.startedAt(), completed.completedAt()).toMillis()),
                completed.timeToFirstTokenMs(), completed.energyJoules(), completed.energySource(),
                completed.acceleratorSeconds(), completed.tokensEstimated());
        events.publishEvent(usage);
        return usage;
    }

    /** Metering rejects what it cannot count; refuse it here, before anything commits. */
    private static void requireMeterable(CompletedInference completed) {
        if (completed.promptTokens() < 0 || completed.completionTokens() < 0) {
            throw new IllegalArgumentException("token counts must not be negative");
        }
        if (!(completed.energyJoules() >= 0) || !(completed.acceleratorSeconds() >= 0)
                || Double.isInfinite(completed.energyJoules()) || Double.isInfinite(completed.acceleratorSeconds())) {
            throw new IllegalArgumentException("energy and accelerator time must be finite and not negative");
        }
    }
}
