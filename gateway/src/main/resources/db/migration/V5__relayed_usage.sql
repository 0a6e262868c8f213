-- The tokens the gateway relayed to clients, per hour (the hour a response ended in), department and model: the
-- client-visible count metering-service's reconciliation sets against inference-service's request log. Every
-- replica adds what it counted since its last flush (RelayedTokens).
CREATE TABLE relayed_usage (
    hour_start             TIMESTAMPTZ  NOT NULL,
    department_id          UUID         NOT NULL,
    model                  VARCHAR(200) NOT NULL,
    requests               BIGINT       NOT NULL,
    prompt_tokens          BIGINT       NOT NULL,
    completion_tokens      BIGINT       NOT NULL,
    -- streams without a usage (none asked for, or cut short) whose completion tokens are their content chunks
    chunk_counted_requests BIGINT       NOT NULL,
    PRIMARY KEY (hour_start, department_id, model)
);
