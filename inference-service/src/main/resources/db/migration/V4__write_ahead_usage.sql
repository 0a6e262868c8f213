-- Write-ahead usage. A request is written here before its first token leaves; the completion tokens its
-- client has been sent are made durable before they are sent (in batches). The row goes in the transaction
-- that logs the ended request in inference_request. A row whose replica stopped beating (killed, cut off)
-- is closed by any live replica as an INTERRUPTED request with the tokens that had been sent.
CREATE TABLE inference_replica (
    replica_id   UUID        PRIMARY KEY,
    started_at   TIMESTAMPTZ NOT NULL,
    heartbeat_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE request_in_flight (
    request_id             VARCHAR(64)  PRIMARY KEY,
    replica_id             UUID         NOT NULL,
    department_id          UUID         NOT NULL,
    api_key_id             UUID,
    agent_id               UUID,
    agent_run_id           UUID,
    model                  VARCHAR(200) NOT NULL,
    backend                VARCHAR(64)  NOT NULL,
    node                   VARCHAR(200) NOT NULL,
    node_class             VARCHAR(64),
    device                 VARCHAR(200) NOT NULL,
    prompt_tokens          BIGINT       NOT NULL CHECK (prompt_tokens >= 0),
    completion_tokens_sent BIGINT       NOT NULL DEFAULT 0 CHECK (completion_tokens_sent >= 0),
    tokens_estimated       BOOLEAN      NOT NULL,
    started_at             TIMESTAMPTZ  NOT NULL,
    time_to_first_token_ms BIGINT       NOT NULL DEFAULT 0,
    progress_at            TIMESTAMPTZ  NOT NULL
);
CREATE INDEX request_in_flight_replica_idx ON request_in_flight (replica_id);
