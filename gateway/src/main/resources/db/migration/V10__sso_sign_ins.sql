-- A person's sign-in through the identity provider is recorded in the audit trail once per access token, however many
-- gateway replicas see it: the first to insert the token's row records the sign-in. Rows go once the token expires.
CREATE TABLE sso_sign_in (
    token_id   VARCHAR(200) PRIMARY KEY,
    person     VARCHAR(320) NOT NULL,
    expires_at TIMESTAMPTZ  NOT NULL
);

CREATE INDEX sso_sign_in_expires_at ON sso_sign_in (expires_at);
