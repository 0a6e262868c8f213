-- Messages a consumer of this service gave up on (PoisonMessages, DeadLetterParking): parked here with the
-- reason, listed, inspected, replayed or discarded through /api/dead-letters. One row per message and consumer
-- group: a replayed message that fails again is the same row, waiting again.
CREATE TABLE dead_letter (
    id              UUID        PRIMARY KEY,
    destination     TEXT        NOT NULL,
    consumer_group  TEXT        NOT NULL,
    -- the CloudEvents id, or for a message without one a hash of its body
    message_key     TEXT        NOT NULL,
    event_id        TEXT,
    event_type      TEXT,
    headers         JSONB       NOT NULL,
    body            BYTEA       NOT NULL,
    reason_class    TEXT        NOT NULL,
    reason          TEXT        NOT NULL,
    tries           INT         NOT NULL,
    parked          INT         NOT NULL,
    first_failed_at TIMESTAMPTZ NOT NULL,
    last_failed_at  TIMESTAMPTZ NOT NULL,
    replayed_at     TIMESTAMPTZ,
    replays         INT         NOT NULL DEFAULT 0,
    discarded_at    TIMESTAMPTZ,
    discard_reason  TEXT,
    CONSTRAINT dead_letter_once_per_group UNIQUE (destination, consumer_group, message_key)
);
CREATE INDEX dead_letter_by_last_failure_idx ON dead_letter (last_failed_at DESC);
CREATE INDEX dead_letter_waiting_idx ON dead_letter (last_failed_at) WHERE replayed_at IS NULL AND discarded_at IS NULL;
