-- Billing months and their state. Charging holds a share lock on its month's row, closing an exclusive one, so a
-- close sees every charge committed before it and no charge lands in a month once it is closed.
CREATE TABLE billing_period (
    period    VARCHAR(7)    PRIMARY KEY,
    status    VARCHAR(8)  NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN', 'CLOSED')),
    closed_at TIMESTAMPTZ
);

-- The month a usage record was used in (service_period) may be earlier than the month it is billed in (period):
-- usage that arrives after its month closed is billed in the next open month as an adjustment.
ALTER TABLE usage_charge ADD COLUMN service_period VARCHAR(7);
UPDATE usage_charge SET service_period = period;
ALTER TABLE usage_charge ALTER COLUMN service_period SET NOT NULL;

-- Idle energy charges as entries: each new revision adds the difference to the month it is billed in.
CREATE TABLE idle_charge_entry (
    department_id   UUID           NOT NULL,
    hour_start      TIMESTAMPTZ    NOT NULL,
    revision        INT            NOT NULL,
    period          VARCHAR(7)       NOT NULL,
    service_period  VARCHAR(7)       NOT NULL,
    idle_joules     NUMERIC(30,9)  NOT NULL,
    overhead_joules NUMERIC(30,9)  NOT NULL,
    cost            NUMERIC(30,12) NOT NULL,
    charge          NUMERIC(30,12) NOT NULL,
    PRIMARY KEY (department_id, hour_start, revision)
);
CREATE INDEX idle_charge_entry_period_idx ON idle_charge_entry (period);

-- One immutable statement per department and closed month; lines keep full precision, totals are rounded to the
-- currency's minor unit (half-even).
CREATE TABLE statement (
    id               UUID          PRIMARY KEY,
    department_id    UUID          NOT NULL,
    period           VARCHAR(7)      NOT NULL,
    currency         CHAR(3)       NOT NULL,
    cost_centre_code VARCHAR(32),
    department_name  VARCHAR(100),
    monthly_budget   NUMERIC(19,6),
    total_charge     NUMERIC(19,6) NOT NULL,
    total_cost       NUMERIC(19,6) NOT NULL,
    closed_at        TIMESTAMPTZ   NOT NULL,
    CONSTRAINT statement_department_period_key UNIQUE (department_id, period)
);

CREATE TABLE statement_line (
    statement_id      UUID           NOT NULL REFERENCES statement (id),
    line_no           INT            NOT NULL,
    kind              VARCHAR(16)    NOT NULL CHECK (kind IN ('USAGE', 'IDLE', 'ADJUSTMENT')),
    service_period    VARCHAR(7)       NOT NULL,
    model             VARCHAR(200),
    agent_id          UUID,
    requests          BIGINT         NOT NULL,
    prompt_tokens     BIGINT         NOT NULL,
    completion_tokens BIGINT         NOT NULL,
    embedding_tokens  BIGINT         NOT NULL,
    direct_kwh        NUMERIC(30,12) NOT NULL,
    idle_kwh          NUMERIC(30,12) NOT NULL,
    overhead_kwh      NUMERIC(30,12) NOT NULL,
    cost              NUMERIC(30,12) NOT NULL,
    charge            NUMERIC(30,12) NOT NULL,
    PRIMARY KEY (statement_id, line_no)
);

-- Closed statements never change: the database itself refuses it.
CREATE FUNCTION refuse_statement_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'statements are immutable once closed' USING ERRCODE = 'integrity_constraint_violation';
END $$;
CREATE TRIGGER statement_immutable BEFORE UPDATE OR DELETE ON statement
    FOR EACH ROW EXECUTE FUNCTION refuse_statement_change();
CREATE TRIGGER statement_line_immutable BEFORE UPDATE OR DELETE ON statement_line
    FOR EACH ROW EXECUTE FUNCTION refuse_statement_change();
