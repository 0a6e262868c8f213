-- Agents and their versions. An edit creates a new version; runs record the version they ran.
CREATE TABLE agent (
    id              UUID         PRIMARY KEY,
    department_id   UUID         NOT NULL,
    name            VARCHAR(100) NOT NULL,
    state           VARCHAR(16)  NOT NULL CHECK (state IN ('DRAFT', 'ACTIVE', 'PAUSED', 'RETIRED')),
    state_reason    VARCHAR(32)  NOT NULL,
    current_version INT          NOT NULL,
    created_at      TIMESTAMPTZ  NOT NULL,
    updated_at      TIMESTAMPTZ  NOT NULL
);
CREATE UNIQUE INDEX agent_department_name_key ON agent (department_id, lower(name));
CREATE INDEX agent_department_state_idx ON agent (department_id, state);

CREATE TABLE agent_version (
    agent_id             UUID         NOT NULL REFERENCES agent (id),
    version              INT          NOT NULL,
    model                VARCHAR(200) NOT NULL,
    instructions         TEXT         NOT NULL,
    tools                TEXT         NOT NULL,
    trigger_kind         VARCHAR(16)  NOT NULL CHECK (trigger_kind IN ('LOOP', 'CRON', 'MANUAL', 'WEBHOOK')),
    interval_seconds     INT,
    cron                 VARCHAR(100),
    time_zone            VARCHAR(64),
    max_steps            INT          NOT NULL CHECK (max_steps > 0),
    max_tokens_per_run   BIGINT       NOT NULL CHECK (max_tokens_per_run > 0),
    max_runs_per_day     INT          NOT NULL CHECK (max_runs_per_day > 0),
    monthly_token_budget BIGINT       CHECK (monthly_token_budget > 0),
    overlap_policy       VARCHAR(16)  NOT NULL CHECK (overlap_policy IN ('SKIP', 'QUEUE_ONE', 'CANCEL_RUNNING')),
    created_at           TIMESTAMPTZ  NOT NULL,
    PRIMARY KEY (agent_id, version)
);

-- Every state change, with its reason: the audit trail behind agent-state-changed.
CREATE TABLE agent_state_history (
    agent_id   UUID        NOT NULL REFERENCES agent (id),
    changed_at TIMESTAMPTZ NOT NULL,
    from_state VARCHAR(16) NOT NULL,
    to_state   VARCHAR(16) NOT NULL,
    reason     VARCHAR(32) NOT NULL
);
CREATE INDEX agent_state_history_agent_idx ON agent_state_history (agent_id, changed_at);
