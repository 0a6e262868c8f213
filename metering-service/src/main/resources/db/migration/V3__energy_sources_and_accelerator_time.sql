-- Every figure says where its energy came from. Raw usage keeps the serving node's class and the request's gap (time
-- without meter readings); the rollups are kept per energy source, so tokens with a measured, an estimated and no
-- energy figure are never mixed in one ratio.
ALTER TABLE usage_record
    ADD COLUMN node_class         VARCHAR(64),
    ADD COLUMN energy_gap_seconds NUMERIC(30,9) NOT NULL DEFAULT 0 CHECK (energy_gap_seconds >= 0);

ALTER TABLE usage_hourly ADD COLUMN energy_source VARCHAR(16);
ALTER TABLE usage_daily ADD COLUMN energy_source VARCHAR(16);
-- the hours and days raw usage still holds are rebuilt per source
DELETE FROM usage_hourly WHERE hour_start >= (SELECT date_trunc('hour', min(occurred_at), 'UTC') FROM usage_record);
INSERT INTO usage_hourly (hour_start, department_id, agent_id, model, node, energy_source, requests, prompt_tokens,
                          completion_tokens, energy_joules, accelerator_seconds)
SELECT date_trunc('hour', occurred_at, 'UTC'), department_id, agent_id, model, node, energy_source, count(*),
       sum(prompt_tokens), sum(completion_tokens), sum(energy_joules), sum(accelerator_seconds)
FROM usage_record GROUP BY 1, 2, 3, 4, 5, 6;
DELETE FROM usage_daily WHERE day_start >= (SELECT date_trunc('day', min(occurred_at), 'UTC') FROM usage_record);
INSERT INTO usage_daily (day_start, department_id, agent_id, model, node, energy_source, requests, prompt_tokens,
                         completion_tokens, energy_joules, accelerator_seconds)
SELECT date_trunc('day', occurred_at, 'UTC'), department_id, agent_id, model, node, energy_source, count(*),
       sum(prompt_tokens), sum(completion_tokens), sum(energy_joules), sum(accelerator_seconds)
FROM usage_record GROUP BY 1, 2, 3, 4, 5, 6;
-- rollups older than raw retention keep one row each: before sources were kept, joules came only from the local
-- engine's meter, which on machines without counters was the estimate
UPDATE usage_hourly SET energy_source = CASE WHEN energy_joules > 0 THEN 'ESTIMATED' ELSE 'NONE' END
WHERE energy_source IS NULL;
UPDATE usage_daily SET energy_source = CASE WHEN energy_joules > 0 THEN 'ESTIMATED' ELSE 'NONE' END
WHERE energy_source IS NULL;
ALTER TABLE usage_hourly ALTER COLUMN energy_source SET NOT NULL, DROP CONSTRAINT usage_hourly_key,
    ADD CONSTRAINT usage_hourly_key UNIQUE NULLS NOT DISTINCT (hour_start, department_id, agent_id, model, node,
        energy_source);
ALTER TABLE usage_daily ALTER COLUMN energy_source SET NOT NULL, DROP CONSTRAINT usage_daily_key,
    ADD CONSTRAINT usage_daily_key UNIQUE NULLS NOT DISTINCT (day_start, department_id, agent_id, model, node,
        energy_source);

-- Power windows carry the node's class, its accelerator time (all of it, and the part with requests in flight) and
-- the time without meter readings.
ALTER TABLE power_sample
    ADD COLUMN node_class               VARCHAR(64),
    ADD COLUMN accelerator_seconds      NUMERIC(30,9) NOT NULL DEFAULT 0 CHECK (accelerator_seconds >= 0),
    ADD COLUMN busy_accelerator_seconds NUMERIC(30,9) NOT NULL DEFAULT 0 CHECK (busy_accelerator_seconds >= 0),
    ADD COLUMN gap_seconds              NUMERIC(30,9) NOT NULL DEFAULT 0 CHECK (gap_seconds >= 0);

-- A node-hour's accelerator time is shared out like its energy: the idle part goes to the departments that used the
-- node in that hour, by their busy energy, and is priced at the node's class's capacity rate.
ALTER TABLE node_hour
    ADD COLUMN measured_seconds NUMERIC(30,9) NOT NULL DEFAULT 0,
    ADD COLUMN busy_seconds     NUMERIC(30,9) NOT NULL DEFAULT 0,
    ADD COLUMN idle_seconds     NUMERIC(30,9) NOT NULL DEFAULT 0,
    ADD COLUMN gap_seconds      NUMERIC(30,9) NOT NULL DEFAULT 0,
    ADD COLUMN node_class       VARCHAR(64),
    ADD COLUMN energy_source    VARCHAR(16);
UPDATE node_hour h SET energy_source = s.source
FROM (SELECT DISTINCT ON (node, date_trunc('hour', window_start, 'UTC')) node,
          date_trunc('hour', window_start, 'UTC') AS hour_start, source
      FROM power_sample ORDER BY node, date_trunc('hour', window_start, 'UTC'), window_end DESC) s
WHERE s.node = h.node AND s.hour_start = h.hour_start;

ALTER TABLE idle_allocation ADD COLUMN idle_seconds NUMERIC(30,9) NOT NULL DEFAULT 0;

-- What billing was told per department and hour now includes the per-node shares (node, class, source, joules,
-- accelerator time), so a change in any of them publishes a correction.
ALTER TABLE idle_publication
    ADD COLUMN idle_seconds NUMERIC(30,9) NOT NULL DEFAULT 0,
    ADD COLUMN detail       TEXT;
