-- Models billing can price, and their rate cards: prices per million tokens, effective from an instant until the
-- next card of the same model. Cards are never updated; a new price is a new card.
CREATE TABLE priced_model (
    name       VARCHAR(200) PRIMARY KEY,
    task       VARCHAR(16)  NOT NULL CHECK (task IN ('GENERATION', 'EMBEDDING')),
    created_at TIMESTAMPTZ  NOT NULL
);

CREATE TABLE rate_card (
    id                     UUID          PRIMARY KEY,
    model                  VARCHAR(200)  NOT NULL REFERENCES priced_model (name),
    effective_from         TIMESTAMPTZ   NOT NULL,
    prompt_per_million     NUMERIC(19,6) NOT NULL CHECK (prompt_per_million >= 0),
    completion_per_million NUMERIC(19,6) NOT NULL CHECK (completion_per_million >= 0),
    embedding_per_million  NUMERIC(19,6) NOT NULL CHECK (embedding_per_million >= 0),
    created_at             TIMESTAMPTZ   NOT NULL,
    CONSTRAINT rate_card_model_effective_key UNIQUE (model, effective_from)
);

-- The energy tariff per kWh, effective-dated the same way.
CREATE TABLE energy_tariff (
    id             UUID          PRIMARY KEY,
    effective_from TIMESTAMPTZ   NOT NULL UNIQUE,
    price_per_kwh  NUMERIC(19,6) NOT NULL CHECK (price_per_kwh >= 0),
    created_at     TIMESTAMPTZ   NOT NULL
);

-- One priced usage record per usage event (the key makes redeliveries change nothing). Amounts keep 12 decimals;
-- rounding to the currency's minor unit happens only on statement totals.
CREATE TABLE usage_charge (
    usage_event_id        UUID          PRIMARY KEY,
    department_id         UUID          NOT NULL,
    period                VARCHAR(7)      NOT NULL,
    occurred_at           TIMESTAMPTZ   NOT NULL,
    agent_id              UUID,
    model                 VARCHAR(200)  NOT NULL,
    node                  VARCHAR(200)  NOT NULL,
    prompt_tokens         BIGINT        NOT NULL,
    completion_tokens     BIGINT        NOT NULL,
    embedding_tokens      BIGINT        NOT NULL,
    direct_joules         NUMERIC(30,9) NOT NULL,
    overhead_joules       NUMERIC(30,9) NOT NULL,
    accelerator_seconds   NUMERIC(30,9) NOT NULL,
    rate_card_id          UUID,
    list_price            NUMERIC(30,12) NOT NULL,
    cost                  NUMERIC(30,12) NOT NULL,
    charge                NUMERIC(30,12) NOT NULL,
    charged_at            TIMESTAMPTZ   NOT NULL
);
CREATE INDEX usage_charge_department_period_idx ON usage_charge (department_id, period);
-- a month's close reads the month's charges and nothing else
CREATE INDEX usage_charge_period_idx ON usage_charge (period);
CREATE INDEX usage_charge_model_occurred_idx ON usage_charge (model, occurred_at);

-- A department's share of idle energy per hour, latest revision only, priced at the tariff of that hour.
CREATE TABLE idle_charge (
    department_id   UUID           NOT NULL,
    hour_start      TIMESTAMPTZ    NOT NULL,
    period          VARCHAR(7)       NOT NULL,
    revision        INT            NOT NULL,
    idle_joules     NUMERIC(30,9)  NOT NULL,
    overhead_joules NUMERIC(30,9)  NOT NULL,
    cost            NUMERIC(30,12) NOT NULL,
    charge          NUMERIC(30,12) NOT NULL,
    charged_at      TIMESTAMPTZ    NOT NULL,
    PRIMARY KEY (department_id, hour_start)
);

-- Each department's running spend in a billing period, and the budget state last announced for it.
CREATE TABLE department_spend (
    department_id UUID           NOT NULL,
    period        VARCHAR(7)       NOT NULL,
    charge        NUMERIC(30,12) NOT NULL DEFAULT 0,
    cost          NUMERIC(30,12) NOT NULL DEFAULT 0,
    budget_state  VARCHAR(16)    NOT NULL DEFAULT 'OK',
    first_charge_at TIMESTAMPTZ,
    updated_at    TIMESTAMPTZ    NOT NULL,
    PRIMARY KEY (department_id, period)
);
