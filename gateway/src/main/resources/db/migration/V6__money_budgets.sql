-- Budgets in money at the door (see docs/budgets.md).
-- A key's own monthly budget, its priority class at inference, and how many of its requests may run at once.
ALTER TABLE api_key
    ADD COLUMN monthly_budget NUMERIC(19,6) CHECK (monthly_budget >= 0),
    ADD COLUMN priority       VARCHAR(16) NOT NULL DEFAULT 'interactive' CHECK (priority IN ('interactive', 'batch')),
    ADD COLUMN max_concurrent INTEGER CHECK (max_concurrent > 0);
-- agents' keys run unattended work: batch unless said otherwise
UPDATE api_key SET priority = 'batch' WHERE agent_id IS NOT NULL;

-- An agent's monthly budget, over all its keys.
CREATE TABLE agent_budget (
    agent_id       UUID          PRIMARY KEY,
    department_id  UUID          NOT NULL,
    monthly_budget NUMERIC(19,6) NOT NULL CHECK (monthly_budget >= 0),
    updated_at     TIMESTAMPTZ   NOT NULL
);

-- Billing's terms as its last snapshot gave them, so a gateway starting while billing is away still prices
-- and caps: the month's time zone and currency, and the token prices in force.
CREATE TABLE billing_terms (
    id        SMALLINT    PRIMARY KEY CHECK (id = 1),
    time_zone VARCHAR(64) NOT NULL,
    currency  VARCHAR(3)  NOT NULL,
    as_of     TIMESTAMPTZ NOT NULL
);
CREATE TABLE model_price (
    model                 VARCHAR(200)   PRIMARY KEY,
    embedding             BOOLEAN        NOT NULL,
    prompt_per_million    NUMERIC(30,12) NOT NULL,
    completion_per_million NUMERIC(30,12) NOT NULL,
    embedding_per_million NUMERIC(30,12) NOT NULL
);

-- What this gateway admitted and settled, per budget and month: with the limit store in memory, a restart
-- starts from here; with Redis, it raises a store that lost its data.
CREATE TABLE budget_tally (
    scope      VARCHAR(16)    NOT NULL CHECK (scope IN ('department', 'key', 'agent')),
    subject_id UUID           NOT NULL,
    period     VARCHAR(7)     NOT NULL,
    spent      NUMERIC(30,12) NOT NULL,
    updated_at TIMESTAMPTZ    NOT NULL,
    PRIMARY KEY (scope, subject_id, period)
);
