-- A model may run on several deployments (servers on nodes): every request names the one that served it.
ALTER TABLE inference_request ADD COLUMN deployment VARCHAR(128);
ALTER TABLE request_in_flight ADD COLUMN deployment VARCHAR(128);
-- How long a request waited for a free slot on its server: the capacity view's mean queue depth (Little's law).
ALTER TABLE inference_request ADD COLUMN queued_ms BIGINT NOT NULL DEFAULT 0 CHECK (queued_ms >= 0);
-- The capacity view reads the last hour and day across departments.
CREATE INDEX inference_request_completed_idx ON inference_request (completed_at);

-- Power budgets an administrator set: for the whole factory, a site or a node. Every replica holds them.
CREATE TABLE power_cap (
    scope      VARCHAR(16)      NOT NULL CHECK (scope IN ('factory', 'site', 'node')),
    name       VARCHAR(200)     NOT NULL,
    watts      DOUBLE PRECISION NOT NULL CHECK (watts > 0),
    updated_at TIMESTAMPTZ      NOT NULL,
    updated_by VARCHAR(200),
    PRIMARY KEY (scope, name)
);
