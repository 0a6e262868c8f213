-- Usage as metering received it, one row per usage-recorded event.
CREATE TABLE usage_record (
    event_id               UUID             PRIMARY KEY,
    request_id             VARCHAR(64)      NOT NULL,
    occurred_at            TIMESTAMPTZ      NOT NULL,
    received_at            TIMESTAMPTZ      NOT NULL,
    department_id          UUID             NOT NULL,
    api_key_id             UUID,
    agent_id               UUID,
    agent_run_id           UUID,
    model                  VARCHAR(200)     NOT NULL,
    backend                VARCHAR(64)      NOT NULL,
    node                   VARCHAR(200)     NOT NULL,
    device                 VARCHAR(200)     NOT NULL,
    prompt_tokens          BIGINT           NOT NULL CHECK (prompt_tokens >= 0),
    completion_tokens      BIGINT           NOT NULL CHECK (completion_tokens >= 0),
    outcome                VARCHAR(16)      NOT NULL,
    latency_ms             BIGINT           NOT NULL,
    time_to_first_token_ms BIGINT           NOT NULL,
    energy_joules          DOUBLE PRECISION NOT NULL CHECK (energy_joules >= 0),
    energy_source          VARCHAR(16)      NOT NULL,
    accelerator_seconds    DOUBLE PRECISION NOT NULL CHECK (accelerator_seconds >= 0)
);
CREATE INDEX usage_record_department_occurred_idx ON usage_record (department_id, occurred_at);
CREATE INDEX usage_record_request_idx ON usage_record (request_id);
