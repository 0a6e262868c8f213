-- A request's tokens are logged when it is served; its energy follows once the node's metering windows it ran in
-- are settled (energy_settled_at), and only then is its usage event published. Rows logged before this migration
-- were settled when written.
ALTER TABLE inference_request
    ALTER COLUMN energy_source DROP NOT NULL,
    ADD COLUMN node_class VARCHAR(64),
    ADD COLUMN energy_gap_seconds DOUBLE PRECISION NOT NULL DEFAULT 0 CHECK (energy_gap_seconds >= 0),
    ADD COLUMN energy_settled_at TIMESTAMPTZ;
UPDATE inference_request SET energy_settled_at = completed_at;
CREATE INDEX inference_request_energy_pending_idx ON inference_request (completed_at) WHERE energy_settled_at IS NULL;

-- Which replica reads each node's meter: one lease holder at a time. Its last reading lets a successor continue a
-- counter without losing what it counted meanwhile.
CREATE TABLE node_meter (
    node            VARCHAR(200) PRIMARY KEY,
    owner           VARCHAR(200) NOT NULL,
    lease_until     TIMESTAMPTZ  NOT NULL,
    reading         TEXT,
    published_until TIMESTAMPTZ
);

-- Each replica's work on a node in one metering window (tokens; requests in flight), reported when it closes.
CREATE TABLE node_work_report (
    node         VARCHAR(200)     NOT NULL,
    window_start TIMESTAMPTZ      NOT NULL,
    replica      VARCHAR(200)     NOT NULL,
    work         DOUBLE PRECISION NOT NULL CHECK (work >= 0),
    requests     INT              NOT NULL CHECK (requests >= 0),
    PRIMARY KEY (node, window_start, replica)
);

-- A node's settled metering windows: the energy measured in each (none when it had no readings: a gap) and the
-- totals of the reports it was split by. Written once, by the meter owner; every replica takes its share from it.
CREATE TABLE node_window (
    node                VARCHAR(200)     NOT NULL,
    window_start        TIMESTAMPTZ      NOT NULL,
    window_end          TIMESTAMPTZ      NOT NULL CHECK (window_end > window_start),
    measured            BOOLEAN          NOT NULL,
    energy_joules       DOUBLE PRECISION NOT NULL CHECK (energy_joules >= 0),
    accelerator_seconds DOUBLE PRECISION NOT NULL CHECK (accelerator_seconds >= 0),
    work                DOUBLE PRECISION NOT NULL,
    requests            INT              NOT NULL,
    energy_source       VARCHAR(16)      NOT NULL,
    note                VARCHAR(500),
    PRIMARY KEY (node, window_start)
);

-- Spans without per-window readings (an exporter outage, a new meter owner), with the energy the counter still
-- told across them when it could (NULL: unknown). Measured, but attributed to no request.
CREATE TABLE node_gap (
    node          VARCHAR(200)     NOT NULL,
    gap_start     TIMESTAMPTZ      NOT NULL,
    gap_end       TIMESTAMPTZ      NOT NULL CHECK (gap_end > gap_start),
    energy_joules DOUBLE PRECISION CHECK (energy_joules >= 0),
    busy          BOOLEAN          NOT NULL,
    note          VARCHAR(500),
    PRIMARY KEY (node, gap_start)
);

ALTER TABLE power_window
    ADD COLUMN node_class               VARCHAR(64),
    ADD COLUMN accelerator_seconds      DOUBLE PRECISION NOT NULL DEFAULT 0,
    ADD COLUMN busy_accelerator_seconds DOUBLE PRECISION NOT NULL DEFAULT 0,
    ADD COLUMN gap_seconds              DOUBLE PRECISION NOT NULL DEFAULT 0;
