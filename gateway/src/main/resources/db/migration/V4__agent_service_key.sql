-- agent-service's own key (scope agent-keys) belongs to no department, like an administrator's.
ALTER TABLE api_key DROP CONSTRAINT api_key_department_required;
ALTER TABLE api_key ADD CONSTRAINT api_key_department_required
    CHECK (department_id IS NOT NULL OR scopes IN ('admin', 'agent-keys'));
