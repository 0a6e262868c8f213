-- Alerts that reach people: webhook subscriptions, and their deliveries as an outbox written in the transaction of the
-- event (a budget crossing, an agent paused by its budget, a closed month), sent and retried by a dispatcher.

-- A department's subscription (department_id set) hears that department's events; an administrator's (NULL) every
-- department's. The secret signs every delivery, so it is kept as it is (billing has no key cipher): whoever reads
-- this table can forge deliveries to the subscribers, as whoever reads the database can change the charges.
CREATE TABLE webhook_subscription (
    id            UUID          PRIMARY KEY,
    department_id UUID,
    url           VARCHAR(2000) NOT NULL,
    event_kinds   VARCHAR(200)  NOT NULL,
    format        VARCHAR(10)   NOT NULL CHECK (format IN ('json', 'slack')),
    description   VARCHAR(200),
    secret        VARCHAR(100)  NOT NULL,
    active        BOOLEAN       NOT NULL,
    created_at    TIMESTAMPTZ   NOT NULL,
    updated_at    TIMESTAMPTZ   NOT NULL,
    version       BIGINT        NOT NULL DEFAULT 0
);

-- one subscription per department (or administrators) and URL
CREATE UNIQUE INDEX webhook_subscription_target_key
    ON webhook_subscription (COALESCE(department_id, '00000000-0000-0000-0000-000000000000'::uuid), url);

-- One event for one subscription: its body as it is sent, every time (a retry sends the same bytes).
CREATE TABLE webhook_delivery (
    id              UUID        PRIMARY KEY,
    subscription_id UUID        NOT NULL REFERENCES webhook_subscription (id) ON DELETE CASCADE,
    event_id        UUID        NOT NULL,
    event_kind      VARCHAR(40) NOT NULL,
    body            TEXT        NOT NULL,
    status          VARCHAR(10) NOT NULL CHECK (status IN ('PENDING', 'DELIVERED', 'FAILED')),
    attempts        INT         NOT NULL DEFAULT 0,
    created_at      TIMESTAMPTZ NOT NULL,
    -- when it is due; while an attempt is in flight, when its lease ends (a replica that died mid-attempt)
    next_attempt_at TIMESTAMPTZ,
    finished_at     TIMESTAMPTZ,
    UNIQUE (subscription_id, event_id)
);

CREATE INDEX webhook_delivery_due_idx ON webhook_delivery (next_attempt_at) WHERE status = 'PENDING';
-- each subscription's earliest due delivery
CREATE INDEX webhook_delivery_pending_idx ON webhook_delivery (subscription_id, next_attempt_at, id)
    WHERE status = 'PENDING';
CREATE INDEX webhook_delivery_log_idx ON webhook_delivery (subscription_id, created_at DESC);
CREATE INDEX webhook_delivery_finished_idx ON webhook_delivery (finished_at) WHERE finished_at IS NOT NULL;

-- Every attempt: when, how long, the receiver's HTTP status or why there was none.
CREATE TABLE webhook_attempt (
    delivery_id UUID         NOT NULL REFERENCES webhook_delivery (id) ON DELETE CASCADE,
    attempt     INT          NOT NULL,
    started_at  TIMESTAMPTZ  NOT NULL,
    duration_ms BIGINT       NOT NULL,
    http_status INT,
    error       VARCHAR(300),
    PRIMARY KEY (delivery_id, attempt)
);

-- The budget state each department was last alerted in: a budget report that repeats it (a changed budget announces
-- the current state again) is no crossing and alerts nobody. No row: OK.
CREATE TABLE webhook_budget_state (
    department_id UUID        PRIMARY KEY,
    state         VARCHAR(10) NOT NULL,
    changed_at    TIMESTAMPTZ NOT NULL
);
