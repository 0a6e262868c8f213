-- Every charge says where its energy came from and which node class its accelerator time was priced at. Charges
-- made before sources were kept are labelled by what they hold: joules came only from the local engine's meter,
-- which on machines without counters was the estimate.
ALTER TABLE usage_charge ADD COLUMN energy_source VARCHAR(16), ADD COLUMN node_class VARCHAR(64);
UPDATE usage_charge SET energy_source = CASE WHEN direct_joules > 0 THEN 'ESTIMATED' ELSE 'NONE' END;
ALTER TABLE usage_charge ALTER COLUMN energy_source SET NOT NULL;

-- Statement lines are kept per energy source, so a line's kWh are all of one kind.
ALTER TABLE charge_rollup ADD COLUMN energy_source VARCHAR(16);
UPDATE charge_rollup SET energy_source = CASE WHEN direct_joules + idle_joules > 0 THEN 'ESTIMATED' ELSE 'NONE' END;
ALTER TABLE charge_rollup ALTER COLUMN energy_source SET NOT NULL, DROP CONSTRAINT charge_rollup_key,
    ADD CONSTRAINT charge_rollup_key UNIQUE NULLS NOT DISTINCT (department_id, period, service_period, kind, model,
        agent_id, energy_source);
-- statements closed before carry no source (NULL: not recorded); they never change
ALTER TABLE statement_line ADD COLUMN energy_source VARCHAR(16);

-- A department's idle share of an hour, per node: its energy at the tariff, and its accelerator time at the node
-- class's capacity rate (idle capacity: what makes cost per token fully loaded). Latest revision only.
CREATE TABLE idle_charge_node (
    department_id   UUID           NOT NULL,
    hour_start      TIMESTAMPTZ    NOT NULL,
    node            VARCHAR(200)   NOT NULL,
    node_class      VARCHAR(64),
    energy_source   VARCHAR(16)    NOT NULL,
    idle_joules     NUMERIC(30,9)  NOT NULL,
    overhead_joules NUMERIC(30,9)  NOT NULL,
    idle_seconds    NUMERIC(30,9)  NOT NULL,
    energy_cost     NUMERIC(30,12) NOT NULL,
    capacity_cost   NUMERIC(30,12) NOT NULL,
    charge          NUMERIC(30,12) NOT NULL,
    PRIMARY KEY (department_id, hour_start, node)
);
CREATE INDEX idle_charge_node_hour_idx ON idle_charge_node (hour_start);

ALTER TABLE idle_charge
    ADD COLUMN idle_seconds  NUMERIC(30,9)  NOT NULL DEFAULT 0,
    ADD COLUMN capacity_cost NUMERIC(30,12) NOT NULL DEFAULT 0;
