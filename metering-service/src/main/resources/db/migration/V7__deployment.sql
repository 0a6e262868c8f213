-- The deployment that served each request (a model may run on several nodes, each a deployment), as a column to group
-- by; NULL in usage from producers that predate deployments. The rollups keep none: a query by deployment reads these
-- raw records.
ALTER TABLE usage_record ADD COLUMN deployment VARCHAR(200);
