package io.tokenfactory.metering.usage;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.tokenfactory.contracts.EnergySource;
import io.tokenfactory.contracts.UsageOutcome;
import io.tokenfactory.contracts.UsageRecorded;

/** One inference request as metering received it: tokens, time and energy, keyed by the event id. */
@Entity
@Table(name = "usage_record")
class MeteredUsage {

    @Id
    @Column(name = "event_id")
    private UUID eventId;

    @Column(name = "request_id", nullable = false)
    private String requestId;

    @Column(name = "occurred_at", nullable = false)
    private Instant occurredAt;

    @Column(name = "received_at", nullable = false)
    private Instant receivedAt;

    @Column(name = "department_id", nullable = false)
    private UUID departmentId;

    @Column(name = "api_key_id")
    private UUID apiKeyId;

    @Column(name = "agent_id")
    private UUID agentId;

    @Column(name = "agent_run_id")
    private UUID agentRunId;

    @Column(nullable = false)
    private String model;

    @Column(nullable = false)
    private String backend;

    @Column(nullable = false)
    private String node;

    @Column(nullable = false)
    private String device;

    @Column(name = "prompt_tokens", nullable = false)
    private long promptTokens;

    @Column(name = "completion_tokens", nullable = false)
    private long completionTokens;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    private UsageOutcome outcome;

    @Column(name = "latency_ms", nullable = false)
    private long latencyMs;

    @Column(name = "time_to_first_token_ms", nullable = false)
    private long timeToFirstTokenMs;

    @Column(name = "energy_joules", nullable = false)
    private double energyJoules;

    @Enumerated(EnumType.STRING)
    @Column(name = "energy_source", nullable = false)
    private EnergySource energySource;

    @Column(name = "accelerator_seconds", nullable = false)
    private double acceleratorSeconds;

    protected MeteredUsage() {
    }

    MeteredUsage(UsageRecorded usage, Instant receivedAt) {
        this.eventId = usage.eventId();
        this.requestId = usage.requestId();
        this.occurredAt = usage.occurredAt();
        this.receivedAt = receivedAt;
        this.departmentId = usage.departmentId();
        this.apiKeyId = usage.apiKeyId();
        this.agentId = usage.agentId();
        this.agentRunId = usage.agentRunId();
        this.model = usage.model();
        this.backend = usage.backend();
        this.node = usage.node();
        this.device = usage.device();
        this.promptTokens = usage.promptTokens();
        this.completionTokens = usage.completionTokens();
        this.outcome = usage.outcome();
        this.latencyMs = usage.latencyMs();
        this.timeToFirstTokenMs = usage.timeToFirstTokenMs();
        this.energyJoules = usage.energyJoules();
        this.energySource = usage.energySource();
        this.acceleratorSeconds = usage.acceleratorSeconds();
    }

    UUID eventId() {
        return eventId;
    }

    long promptTokens() {
        return promptTokens;
    }

    long completionTokens() {
        return completionTokens;
    }
}
