-- Token counts a remote backend did not report and this service counted itself are flagged.
ALTER TABLE inference_request ADD COLUMN tokens_estimated BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE inference_request DROP CONSTRAINT IF EXISTS inference_request_energy_source_check;

-- One row per closed power window: what the meter measured and how much of it requests drew (the rest is idle).
CREATE TABLE power_window (
    event_id       UUID             PRIMARY KEY,
    node           VARCHAR(200)     NOT NULL,
    device         VARCHAR(200)     NOT NULL,
    device_kind    VARCHAR(16)      NOT NULL,
    window_start   TIMESTAMPTZ      NOT NULL,
    window_end     TIMESTAMPTZ      NOT NULL CHECK (window_end >= window_start),
    energy_joules  DOUBLE PRECISION NOT NULL CHECK (energy_joules >= 0),
    busy_joules    DOUBLE PRECISION NOT NULL CHECK (busy_joules >= 0),
    energy_source  VARCHAR(16)      NOT NULL
);
CREATE INDEX power_window_end_idx ON power_window (window_end);
