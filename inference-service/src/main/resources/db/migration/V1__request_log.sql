-- The request log: one row per inference request, written with its usage event in one transaction.
CREATE TABLE inference_request (
    request_id             VARCHAR(64)      PRIMARY KEY,
    usage_event_id         UUID             NOT NULL UNIQUE,
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
    started_at             TIMESTAMPTZ      NOT NULL,
    completed_at           TIMESTAMPTZ      NOT NULL,
    time_to_first_token_ms BIGINT           NOT NULL,
    energy_joules          DOUBLE PRECISION NOT NULL CHECK (energy_joules >= 0),
    energy_source          VARCHAR(16)      NOT NULL,
    accelerator_seconds    DOUBLE PRECISION NOT NULL CHECK (accelerator_seconds >= 0)
);
CREATE INDEX inference_request_department_completed_idx ON inference_request (department_id, completed_at);
