-- A key of no department may also hold metrics:read: a scraper's key for the gateway's /actuator/prometheus and
-- /actuator/info (docs/security.md).
ALTER TABLE api_key DROP CONSTRAINT api_key_department_required;
ALTER TABLE api_key ADD CONSTRAINT api_key_department_required
    CHECK (department_id IS NOT NULL
        OR scopes ~ '^(admin|agent-keys|billing:admin|keys:admin|metrics:read)( (admin|billing:admin|keys:admin|metrics:read))*$');
