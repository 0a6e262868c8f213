-- The audit trail of every service: each state-changing administrative or department action, once, in the
-- transaction of the change, with who, from where, what, and the state before and after. Append-only: a trigger
-- refuses every change and every removal (docs/security.md).
CREATE TABLE audit_record (
    id               BIGSERIAL    PRIMARY KEY,
    occurred_at      TIMESTAMPTZ  NOT NULL,
    actor_kind       VARCHAR(16)  NOT NULL CHECK (actor_kind IN ('API_KEY', 'USER', 'OPERATOR', 'SYSTEM')),
    actor_id         VARCHAR(200) NOT NULL,
    actor_department UUID,
    source_address   VARCHAR(100),
    action           VARCHAR(100) NOT NULL,
    subject_type     VARCHAR(40)  NOT NULL,
    subject_id       VARCHAR(200),
    department_id    UUID,
    before_state     JSONB,
    after_state      JSONB
);
CREATE INDEX audit_record_time_idx ON audit_record (occurred_at);
CREATE INDEX audit_record_department_idx ON audit_record (department_id, occurred_at);

CREATE FUNCTION audit_record_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only' USING ERRCODE = 'integrity_constraint_violation';
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_record_unchangeable BEFORE UPDATE OR DELETE ON audit_record
    FOR EACH ROW EXECUTE FUNCTION audit_record_append_only();
CREATE TRIGGER audit_record_not_truncated BEFORE TRUNCATE ON audit_record
    FOR EACH STATEMENT EXECUTE FUNCTION audit_record_append_only();
