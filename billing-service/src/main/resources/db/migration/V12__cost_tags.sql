-- Cost centres below the department: each charge keeps the team and project (and every cost tag, as a JSON object
-- of strings) of the key or agent that made its request, so cost per token, statements and the FOCUS export can
-- show them.
ALTER TABLE usage_charge ADD COLUMN team VARCHAR(100);
ALTER TABLE usage_charge ADD COLUMN project VARCHAR(100);
ALTER TABLE usage_charge ADD COLUMN tags TEXT;

-- A closed month's subtotals per team and project of a department (NULL: usage without that tag).
CREATE TABLE statement_team (
    statement_id    UUID           NOT NULL REFERENCES statement (id),
    line_no         INT            NOT NULL,
    team            VARCHAR(100),
    project         VARCHAR(100),
    requests        BIGINT         NOT NULL,
    tokens          BIGINT         NOT NULL,
    charge          NUMERIC(30,12) NOT NULL,
    emissions_grams NUMERIC(30,6),
    PRIMARY KEY (statement_id, line_no)
);
CREATE TRIGGER statement_team_immutable BEFORE UPDATE OR DELETE ON statement_team
    FOR EACH ROW EXECUTE FUNCTION refuse_statement_change();
