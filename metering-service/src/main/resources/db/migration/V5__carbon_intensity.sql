-- Grid carbon intensity (gCO2e per kWh), effective-dated per node, per site or for the whole factory. The most
-- specific one in force when a request happened prices its energy in emissions: node, then site, then factory.
CREATE TABLE carbon_intensity (
    id             UUID          PRIMARY KEY,
    scope          VARCHAR(8)    NOT NULL CHECK (scope IN ('FACTORY', 'SITE', 'NODE')),
    -- the node's or the site's name; '' for the factory
    target         VARCHAR(200)  NOT NULL,
    effective_from TIMESTAMPTZ   NOT NULL,
    grams_per_kwh  NUMERIC(10,3) NOT NULL CHECK (grams_per_kwh >= 0),
    source         VARCHAR(200),
    created_at     TIMESTAMPTZ   NOT NULL,
    CONSTRAINT carbon_intensity_key UNIQUE (scope, target, effective_from),
    CHECK ((scope = 'FACTORY') = (target = ''))
);

-- Location-based emissions of each request's energy (direct and facility overhead) in gCO2e; NULL where no
-- intensity was in force for its node or it has no energy figure. The rollups sum them, with the tokens they cover.
ALTER TABLE usage_record ADD COLUMN emissions_grams NUMERIC(24,6);
ALTER TABLE usage_hourly ADD COLUMN emissions_grams NUMERIC(30,6) NOT NULL DEFAULT 0;
ALTER TABLE usage_hourly ADD COLUMN emissions_tokens BIGINT NOT NULL DEFAULT 0;
ALTER TABLE usage_daily ADD COLUMN emissions_grams NUMERIC(30,6) NOT NULL DEFAULT 0;
ALTER TABLE usage_daily ADD COLUMN emissions_tokens BIGINT NOT NULL DEFAULT 0;
