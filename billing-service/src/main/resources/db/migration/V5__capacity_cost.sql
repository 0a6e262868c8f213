-- The capacity part of the cost model: each node belongs to a class (unassigned nodes to 'default'), and each
-- class has an amortised cost per accelerator-hour, effective-dated like every price.
CREATE TABLE node_class (
    node       VARCHAR(200) PRIMARY KEY,
    node_class VARCHAR(64)  NOT NULL,
    updated_at TIMESTAMPTZ  NOT NULL
);

CREATE TABLE capacity_rate (
    id                        UUID          PRIMARY KEY,
    node_class                VARCHAR(64)   NOT NULL,
    effective_from            TIMESTAMPTZ   NOT NULL,
    cost_per_accelerator_hour NUMERIC(19,6) NOT NULL CHECK (cost_per_accelerator_hour >= 0),
    created_at                TIMESTAMPTZ   NOT NULL,
    CONSTRAINT capacity_rate_class_effective_key UNIQUE (node_class, effective_from)
);

ALTER TABLE usage_charge ADD COLUMN energy_cost NUMERIC(30,12) NOT NULL DEFAULT 0,
    ADD COLUMN capacity_cost NUMERIC(30,12) NOT NULL DEFAULT 0;
UPDATE usage_charge SET energy_cost = cost;
