-- Raw usage becomes a table partitioned by month of occurred_at, so whole months can be detached, archived or
-- dropped; energy moves to NUMERIC so that sums (incremental or rebuilt) are exact and equal.
ALTER TABLE usage_record RENAME TO usage_record_v1;
ALTER TABLE usage_record_v1 RENAME CONSTRAINT usage_record_pkey TO usage_record_v1_pkey;
ALTER INDEX usage_record_department_occurred_idx RENAME TO usage_record_v1_department_occurred_idx;
ALTER INDEX usage_record_request_idx RENAME TO usage_record_v1_request_idx;

CREATE TABLE usage_record (
    event_id               UUID          NOT NULL,
    request_id             VARCHAR(64)   NOT NULL,
    occurred_at            TIMESTAMPTZ   NOT NULL,
    received_at            TIMESTAMPTZ   NOT NULL,
    department_id          UUID          NOT NULL,
    api_key_id             UUID,
    agent_id               UUID,
    agent_run_id           UUID,
    model                  VARCHAR(200)  NOT NULL,
    backend                VARCHAR(64)   NOT NULL,
    node                   VARCHAR(200)  NOT NULL,
    device                 VARCHAR(200)  NOT NULL,
    prompt_tokens          BIGINT        NOT NULL CHECK (prompt_tokens >= 0),
    completion_tokens      BIGINT        NOT NULL CHECK (completion_tokens >= 0),
    outcome                VARCHAR(16)   NOT NULL,
    latency_ms             BIGINT        NOT NULL,
    time_to_first_token_ms BIGINT        NOT NULL,
    energy_joules          NUMERIC(30,9) NOT NULL CHECK (energy_joules >= 0),
    energy_source          VARCHAR(16)   NOT NULL,
    accelerator_seconds    NUMERIC(30,9) NOT NULL CHECK (accelerator_seconds >= 0),
    tokens_estimated       BOOLEAN       NOT NULL DEFAULT false,
    -- a partitioned table's keys must hold the partition key. An event sent again carries the same occurred_at, so
    -- this key is also what recognises redeliveries (INSERT … ON CONFLICT DO NOTHING), for as long as raw usage is kept
    PRIMARY KEY (event_id, occurred_at)
) PARTITION BY RANGE (occurred_at);
-- anything outside the monthly partitions (far past or far future) still lands somewhere
CREATE TABLE usage_record_default PARTITION OF usage_record DEFAULT;
-- usage arrives roughly in time order: a BRIN index serves window scans at a fraction of a B-tree's insert cost
CREATE INDEX usage_record_occurred_idx ON usage_record USING brin (occurred_at);
CREATE INDEX usage_record_department_occurred_idx ON usage_record (department_id, occurred_at);

-- monthly partitions from the oldest usage already here (or this month) to three months ahead
DO $$
DECLARE
    month_start DATE := date_trunc('month', LEAST(now(), COALESCE((SELECT min(occurred_at) FROM usage_record_v1), now()))
                                   AT TIME ZONE 'UTC')::date;
    last_month  DATE := (date_trunc('month', now() AT TIME ZONE 'UTC') + INTERVAL '3 months')::date;
BEGIN
    WHILE month_start <= last_month LOOP
        EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF usage_record FOR VALUES FROM (%L) TO (%L)',
                       'usage_record_' || to_char(month_start, 'YYYY_MM'),
                       (month_start::timestamp AT TIME ZONE 'UTC'),
                       ((month_start + INTERVAL '1 month')::timestamp AT TIME ZONE 'UTC'));
        month_start := (month_start + INTERVAL '1 month')::date;
    END LOOP;
END $$;

INSERT INTO usage_record (event_id, request_id, occurred_at, received_at, department_id, api_key_id, agent_id,
                          agent_run_id, model, backend, node, device, prompt_tokens, completion_tokens, outcome,
                          latency_ms, time_to_first_token_ms, energy_joules, energy_source, accelerator_seconds)
SELECT event_id, request_id, occurred_at, received_at, department_id, api_key_id, agent_id, agent_run_id, model,
       backend, node, device, prompt_tokens, completion_tokens, outcome, latency_ms, time_to_first_token_ms,
       energy_joules::numeric, energy_source, accelerator_seconds::numeric
FROM usage_record_v1;
DROP TABLE usage_record_v1;

-- Rollups, maintained with every ingested batch and rebuildable from usage_record. agent_id is NULL for requests
-- that are not an agent's; NULLS NOT DISTINCT makes those one group.
CREATE TABLE usage_hourly (
    hour_start          TIMESTAMPTZ   NOT NULL,
    department_id       UUID          NOT NULL,
    agent_id            UUID,
    model               VARCHAR(200)  NOT NULL,
    node                VARCHAR(200)  NOT NULL,
    requests            BIGINT        NOT NULL,
    prompt_tokens       BIGINT        NOT NULL,
    completion_tokens   BIGINT        NOT NULL,
    energy_joules       NUMERIC(30,9) NOT NULL,
    accelerator_seconds NUMERIC(30,9) NOT NULL,
    CONSTRAINT usage_hourly_key UNIQUE NULLS NOT DISTINCT (hour_start, department_id, agent_id, model, node)
);
CREATE INDEX usage_hourly_department_idx ON usage_hourly (department_id, hour_start);
CREATE INDEX usage_hourly_node_idx ON usage_hourly (node, hour_start);

CREATE TABLE usage_daily (
    day_start           TIMESTAMPTZ   NOT NULL,
    department_id       UUID          NOT NULL,
    agent_id            UUID,
    model               VARCHAR(200)  NOT NULL,
    node                VARCHAR(200)  NOT NULL,
    requests            BIGINT        NOT NULL,
    prompt_tokens       BIGINT        NOT NULL,
    completion_tokens   BIGINT        NOT NULL,
    energy_joules       NUMERIC(30,9) NOT NULL,
    accelerator_seconds NUMERIC(30,9) NOT NULL,
    CONSTRAINT usage_daily_key UNIQUE NULLS NOT DISTINCT (day_start, department_id, agent_id, model, node)
);
CREATE INDEX usage_daily_department_idx ON usage_daily (department_id, day_start);

-- Power as the inference nodes measured it, one row per power-sampled event.
CREATE TABLE power_sample (
    event_id           UUID          PRIMARY KEY,
    node               VARCHAR(200)  NOT NULL,
    device             VARCHAR(200)  NOT NULL,
    device_kind        VARCHAR(64)   NOT NULL,
    window_start       TIMESTAMPTZ   NOT NULL,
    window_end         TIMESTAMPTZ   NOT NULL CHECK (window_end > window_start),
    energy_joules      NUMERIC(30,9) NOT NULL CHECK (energy_joules >= 0),
    busy_energy_joules NUMERIC(30,9) NOT NULL CHECK (busy_energy_joules >= 0 AND busy_energy_joules <= energy_joules),
    source             VARCHAR(16)   NOT NULL,
    received_at        TIMESTAMPTZ   NOT NULL
);
CREATE INDEX power_sample_window_idx ON power_sample (window_start);

-- One node's energy in one hour: measured (all power windows), the part of it the node reported busy, the rest
-- (idle), and the direct energy of the usage metered for it. version moves with every change; allocated_version
-- is the version the idle allocation was computed from, so an hour is due for (re)allocation while they differ.
CREATE TABLE node_hour (
    node              VARCHAR(200)  NOT NULL,
    hour_start        TIMESTAMPTZ   NOT NULL,
    measured_joules   NUMERIC(30,9) NOT NULL DEFAULT 0,
    busy_joules       NUMERIC(30,9) NOT NULL DEFAULT 0,
    idle_joules       NUMERIC(30,9) NOT NULL DEFAULT 0,
    direct_joules     NUMERIC(30,9) NOT NULL DEFAULT 0,
    version           BIGINT        NOT NULL DEFAULT 1,
    allocated_version BIGINT        NOT NULL DEFAULT 0,
    PRIMARY KEY (node, hour_start)
);
CREATE INDEX node_hour_due_idx ON node_hour (hour_start) WHERE version <> allocated_version;

-- Idle energy of a node-hour shared out by department; department_id NULL is the unallocated bucket (an hour in
-- which nobody used the node).
CREATE TABLE idle_allocation (
    hour_start    TIMESTAMPTZ   NOT NULL,
    node          VARCHAR(200)  NOT NULL,
    department_id UUID,
    idle_joules   NUMERIC(30,9) NOT NULL,
    CONSTRAINT idle_allocation_key UNIQUE NULLS NOT DISTINCT (hour_start, node, department_id)
);
CREATE INDEX idle_allocation_department_idx ON idle_allocation (department_id, hour_start);

-- What idle-energy-allocated has told billing per department and hour, and in which revision.
CREATE TABLE idle_publication (
    department_id            UUID          NOT NULL,
    hour_start               TIMESTAMPTZ   NOT NULL,
    idle_joules              NUMERIC(30,9) NOT NULL,
    facility_overhead_joules NUMERIC(30,9) NOT NULL,
    revision                 INT           NOT NULL,
    published_at             TIMESTAMPTZ   NOT NULL,
    PRIMARY KEY (department_id, hour_start)
);
