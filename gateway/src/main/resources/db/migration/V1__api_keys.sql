-- Department API keys. The secret itself is never stored: only its peppered HMAC-SHA-256.
CREATE TABLE api_key (
    id             UUID         PRIMARY KEY,
    name           VARCHAR(100) NOT NULL,
    secret_hash    VARCHAR(64)  NOT NULL UNIQUE,
    secret_hint    VARCHAR(16)  NOT NULL,
    department_id  UUID,
    agent_id       UUID,
    scopes         VARCHAR(200) NOT NULL,
    allowed_models TEXT,
    rpm_limit      INTEGER      CHECK (rpm_limit > 0),
    tpm_limit      BIGINT       CHECK (tpm_limit > 0),
    expires_at     TIMESTAMPTZ,
    revoked_at     TIMESTAMPTZ,
    created_at     TIMESTAMPTZ  NOT NULL,
    rotated_at     TIMESTAMPTZ,
    version        BIGINT       NOT NULL DEFAULT 0,
    -- only platform administrators' keys may belong to no department
    CONSTRAINT api_key_department_required CHECK (department_id IS NOT NULL OR scopes = 'admin')
);
CREATE INDEX api_key_department_idx ON api_key (department_id);
