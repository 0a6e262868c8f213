-- Charges summed as a statement shows them, kept with every charge: closing a month then reads these few rows
-- instead of every charge of the month. kind: USAGE, IDLE, or ADJUSTMENT (billed in a later month than used).
CREATE TABLE charge_rollup (
    department_id     UUID           NOT NULL,
    period            VARCHAR(7)     NOT NULL,
    service_period    VARCHAR(7)     NOT NULL,
    kind              VARCHAR(16)    NOT NULL,
    model             VARCHAR(200),
    agent_id          UUID,
    requests          BIGINT         NOT NULL,
    prompt_tokens     BIGINT         NOT NULL,
    completion_tokens BIGINT         NOT NULL,
    embedding_tokens  BIGINT         NOT NULL,
    direct_joules     NUMERIC(30,9)  NOT NULL,
    idle_joules       NUMERIC(30,9)  NOT NULL,
    overhead_joules   NUMERIC(30,9)  NOT NULL,
    cost              NUMERIC(30,12) NOT NULL,
    charge            NUMERIC(30,12) NOT NULL,
    CONSTRAINT charge_rollup_key UNIQUE NULLS NOT DISTINCT (department_id, period, service_period, kind, model, agent_id)
);
CREATE INDEX charge_rollup_period_idx ON charge_rollup (period);

INSERT INTO charge_rollup
SELECT department_id, period, service_period, CASE WHEN service_period = period THEN 'USAGE' ELSE 'ADJUSTMENT' END,
    model, agent_id, count(*), sum(prompt_tokens), sum(completion_tokens), sum(embedding_tokens), sum(direct_joules), 0,
    sum(overhead_joules), sum(cost), sum(charge)
FROM usage_charge GROUP BY 1, 2, 3, 4, 5, 6;
INSERT INTO charge_rollup
SELECT department_id, period, service_period, CASE WHEN service_period = period THEN 'IDLE' ELSE 'ADJUSTMENT' END,
    NULL, NULL, 0, 0, 0, 0, 0, sum(idle_joules), sum(overhead_joules), sum(cost), sum(charge)
FROM idle_charge_entry GROUP BY 1, 2, 3, 4
ON CONFLICT ON CONSTRAINT charge_rollup_key DO UPDATE SET idle_joules = charge_rollup.idle_joules + excluded.idle_joules,
    overhead_joules = charge_rollup.overhead_joules + excluded.overhead_joules,
    cost = charge_rollup.cost + excluded.cost, charge = charge_rollup.charge + excluded.charge;
