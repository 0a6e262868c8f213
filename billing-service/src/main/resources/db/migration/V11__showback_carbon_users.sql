-- Showback: a department may be shown its charges without being charged them. Its statements are the same, marked
-- not payable, and stay out of the general-ledger journal's receivables. The mode is copied onto each statement at
-- the close, so a later change of mode never rewrites a closed month.
ALTER TABLE department ADD COLUMN billing_mode VARCHAR(10) NOT NULL DEFAULT 'CHARGEBACK'
    CHECK (billing_mode IN ('CHARGEBACK', 'SHOWBACK'));
ALTER TABLE statement ADD COLUMN billing_mode VARCHAR(10) NOT NULL DEFAULT 'CHARGEBACK'
    CHECK (billing_mode IN ('CHARGEBACK', 'SHOWBACK'));

-- Who used it, and what it emitted: the key and the client's own end user (OpenAI's `user`) of each charged
-- request, and its location-based emissions as metering computed them (NULL: no carbon intensity was set for its
-- node, or usage from before emissions were kept).
ALTER TABLE usage_charge ADD COLUMN api_key_id UUID;
ALTER TABLE usage_charge ADD COLUMN end_user VARCHAR(256);
ALTER TABLE usage_charge ADD COLUMN emissions_grams NUMERIC(24,6);
ALTER TABLE charge_rollup ADD COLUMN emissions_grams NUMERIC(30,6) NOT NULL DEFAULT 0;
ALTER TABLE statement_line ADD COLUMN emissions_grams NUMERIC(30,6) NOT NULL DEFAULT 0;
ALTER TABLE statement ADD COLUMN total_emissions_grams NUMERIC(30,6);

-- A closed month's top end users of a department, kept only where billing is set to list them.
CREATE TABLE statement_user (
    statement_id UUID           NOT NULL REFERENCES statement (id),
    rank         INT            NOT NULL,
    end_user     VARCHAR(256)   NOT NULL,
    requests     BIGINT         NOT NULL,
    tokens       BIGINT         NOT NULL,
    charge       NUMERIC(30,12) NOT NULL,
    PRIMARY KEY (statement_id, rank)
);
CREATE TRIGGER statement_user_immutable BEFORE UPDATE OR DELETE ON statement_user
    FOR EACH ROW EXECUTE FUNCTION refuse_statement_change();

-- The month-end forecast reads a department's hourly charges of the last weeks.
CREATE INDEX usage_charge_department_occurred_idx ON usage_charge (department_id, occurred_at) INCLUDE (charge);
