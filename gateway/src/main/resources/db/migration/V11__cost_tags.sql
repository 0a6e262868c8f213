-- Cost tags below the department: each key carries team, project and the keys an administrator allows, as a JSON
-- object of strings; they travel in the identity token to inference and with each request's usage to metering and
-- billing.
ALTER TABLE api_key ADD COLUMN tags TEXT NOT NULL DEFAULT '{}';

-- The tag keys allowed beyond team and project, as an administrator sets them.
CREATE TABLE allowed_tag_key (
    tag_key  VARCHAR(32) PRIMARY KEY,
    added_at TIMESTAMPTZ NOT NULL
);
