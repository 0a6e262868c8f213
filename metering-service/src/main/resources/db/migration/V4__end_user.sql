-- OpenAI's `user` of each request (the client's own end user), so usage can be grouped by it. The hourly and daily
-- rollups keep no end user: a query by user reads these raw records.
ALTER TABLE usage_record ADD COLUMN end_user VARCHAR(256);
