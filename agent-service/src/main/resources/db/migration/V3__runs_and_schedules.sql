-- When each active agent fires next, and what its supervision knows. One row per agent that was ever activated.
CREATE TABLE agent_schedule (
    agent_id             UUID        PRIMARY KEY REFERENCES agent (id),
    next_fire_at         TIMESTAMPTZ,  -- null: nothing scheduled (manual or webhook agents, paused, retired)
    consecutive_failures INT         NOT NULL DEFAULT 0,
    skipped_fires        BIGINT      NOT NULL DEFAULT 0,  -- fires the overlap policy or a limit left out
    missed_fires         BIGINT      NOT NULL DEFAULT 0,  -- fires outside the catch-up window after downtime
    -- the agent's own limits, counted here so a fire never sums its history
    runs_day             DATE,
    runs_that_day        INT         NOT NULL DEFAULT 0,
    tokens_month         VARCHAR(7),
    tokens_that_month    BIGINT      NOT NULL DEFAULT 0,
    updated_at           TIMESTAMPTZ NOT NULL
);
CREATE INDEX agent_schedule_due_idx ON agent_schedule (next_fire_at) WHERE next_fire_at IS NOT NULL;

-- Runs: queued, running (under a replica's lease) and finished, with their accounting.
CREATE TABLE agent_run (
    id                UUID         PRIMARY KEY,
    agent_id          UUID         NOT NULL REFERENCES agent (id),
    department_id     UUID         NOT NULL,
    agent_version     INT          NOT NULL,
    trigger_kind      VARCHAR(16)  NOT NULL CHECK (trigger_kind IN ('SCHEDULE', 'RETRY', 'MANUAL', 'WEBHOOK')),
    status            VARCHAR(24)  NOT NULL CHECK (status IN ('QUEUED', 'RUNNING', 'SUCCEEDED', 'LIMIT_REACHED',
                          'FAILED', 'CANCELLED', 'TIMED_OUT', 'ORPHANED', 'INFERENCE_UNAVAILABLE')),
    input             TEXT,
    output            TEXT,
    error             VARCHAR(2000),
    scheduled_for     TIMESTAMPTZ  NOT NULL,
    queued_at         TIMESTAMPTZ  NOT NULL,
    started_at        TIMESTAMPTZ,
    finished_at       TIMESTAMPTZ,
    heartbeat_at      TIMESTAMPTZ,
    lease_owner       VARCHAR(64),
    ran_by            VARCHAR(64),  -- the replica that started it (kept after the lease ends)
    lease_expires_at  TIMESTAMPTZ,
    cancel_requested  BOOLEAN      NOT NULL DEFAULT false,
    steps             INT          NOT NULL DEFAULT 0,
    prompt_tokens     BIGINT       NOT NULL DEFAULT 0,
    completion_tokens BIGINT       NOT NULL DEFAULT 0,
    transcript_purged BOOLEAN      NOT NULL DEFAULT false
);
-- the guarantee behind "never one agent twice at once", whatever the number of replicas: the database refuses it
CREATE UNIQUE INDEX agent_run_one_running ON agent_run (agent_id) WHERE status = 'RUNNING';
CREATE UNIQUE INDEX agent_run_one_queued ON agent_run (agent_id) WHERE status = 'QUEUED';
CREATE INDEX agent_run_queued_idx ON agent_run (queued_at) WHERE status = 'QUEUED';
CREATE INDEX agent_run_lease_idx ON agent_run (lease_expires_at) WHERE status = 'RUNNING';
CREATE INDEX agent_run_agent_idx ON agent_run (agent_id, queued_at DESC);
CREATE INDEX agent_run_finished_idx ON agent_run (finished_at) WHERE transcript_purged = false;

-- A run's steps: what the model said, the tools it called and what they answered, and the tokens of each step.
CREATE TABLE agent_run_step (
    run_id            UUID        NOT NULL REFERENCES agent_run (id),
    step              INT         NOT NULL,
    at                TIMESTAMPTZ NOT NULL,
    prompt_tokens     BIGINT      NOT NULL,
    completion_tokens BIGINT      NOT NULL,
    finish_reason     VARCHAR(32),
    content           TEXT,
    tool_calls        TEXT,  -- JSON: [{id, name, arguments, result, error}]
    PRIMARY KEY (run_id, step)
);

-- Each agent's own gateway key: the secret only encrypted (AES-GCM, bound to the agent id), never in plain text.
CREATE TABLE agent_credential (
    agent_id   UUID        PRIMARY KEY REFERENCES agent (id),
    key_id     UUID        NOT NULL,
    secret     BYTEA       NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
