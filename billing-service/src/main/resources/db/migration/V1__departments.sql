-- Departments: the unit that API keys, agents, usage and charges belong to.
CREATE TABLE department (
    id               UUID         PRIMARY KEY,
    name             VARCHAR(100) NOT NULL,
    cost_centre_code VARCHAR(32)  NOT NULL,
    created_at       TIMESTAMPTZ  NOT NULL,
    updated_at       TIMESTAMPTZ  NOT NULL,
    version          BIGINT       NOT NULL DEFAULT 0
);

CREATE UNIQUE INDEX department_name_key ON department (lower(name));
CREATE UNIQUE INDEX department_cost_centre_code_key ON department (lower(cost_centre_code));

-- Event ids this service has consumed, so redelivered events change nothing.
CREATE TABLE processed_event (
    event_id     UUID        PRIMARY KEY,
    event_type   TEXT        NOT NULL,
    processed_at TIMESTAMPTZ NOT NULL
);

-- Spring Modulith's event publication registry: the outbox of events this service publishes.
CREATE TABLE event_publication (
    id                     UUID        NOT NULL PRIMARY KEY,
    listener_id            TEXT        NOT NULL,
    event_type             TEXT        NOT NULL,
    serialized_event       TEXT        NOT NULL,
    publication_date       TIMESTAMPTZ NOT NULL,
    completion_date        TIMESTAMPTZ,
    status                 TEXT,
    completion_attempts    INT,
    last_resubmission_date TIMESTAMPTZ
);
CREATE INDEX event_publication_serialized_event_hash_idx ON event_publication USING hash (serialized_event);
CREATE INDEX event_publication_by_completion_date_idx ON event_publication (completion_date);
