-- The cost tags each request carried (its key's or agent's): team and project as columns to group by, every tag as
-- a JSON object of strings. The rollups keep none: a query by team or project reads these raw records.
ALTER TABLE usage_record ADD COLUMN team VARCHAR(100);
ALTER TABLE usage_record ADD COLUMN project VARCHAR(100);
ALTER TABLE usage_record ADD COLUMN tags TEXT;
