package io.tokenfactory.inference.usage;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Transient;

import io.tokenfactory.contracts.EnergySource;
import io.tokenfactory.contracts.UsageOutcome;

import org.springframework.data.domain.Persistable;

/** The request log: one row per inference request, written with its usage event in one transaction. */
@Entity
@Table(name = "inference_request")
class InferenceRequest implements Persistable<String> {

    @Id
    @Column(name = "request_id")
    private String requestId;

    @Column(name = "usage_event_id", nullable = false, unique = true)
    private UUID usageEventId;

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

    @Column(name = "started_at", nullable = false)
    private Instant startedAt;

    @Column(name = "completed_at", nullable = false)
    private Instant completedAt;

    @Column(name = "time_to_first_token_ms", nullable = false)
    private long timeToFirstTokenMs;

    @Column(name = "energy_joules", nullable = false)
    private double energyJoules;

    @Enumerated(EnumType.STRING)
    @Column(name = "energy_source", nullable = false)
    private EnergySource energySource;

    @Column(name = "accelerator_seconds", nullable = false)
    private double acceleratorSeconds;

    @Column(name = "tokens_estimated", nullable = false)
    private boolean tokensEstimated;

    /** Rows are only ever inserted: the same request id twice is a duplicate, never an update. */
    @Transient
    private boolean isNew = true;

    protected InferenceRequest() {
        this.isNew = false;
    }

    InferenceRequest(CompletedInference completed, String node, UUID usageEventId) {
        this.requestId = completed.requestId();
        this.usageEventId = usageEventId;
        this.departmentId = completed.departmentId();
        this.apiKeyId = completed.apiKeyId();
        this.agentId = completed.agentId();
        this.agentRunId = completed.agentRunId();
        this.model = completed.model();
        this.backend = completed.backend();
        this.node = node;
        this.device = completed.device();
        this.promptTokens = completed.promptTokens();
        this.completionTokens = completed.completionTokens();
        this.outcome = completed.outcome();
        this.startedAt = completed.startedAt();
        this.completedAt = completed.completedAt();
        this.timeToFirstTokenMs = completed.timeToFirstTokenMs();
        this.energyJoules = completed.energyJoules();
        this.energySource = completed.energySource();
        this.acceleratorSeconds = completed.acceleratorSeconds();
        this.tokensEstimated = completed.tokensEstimated();
    }

    String requestId() {
        return requestId;
    }

    @Override
    public String getId() {
        return requestId;
    }

    @Override
    public boolean isNew() {
        return isNew;
    }

    UUID usageEventId() {
        return usageEventId;
    }
}
