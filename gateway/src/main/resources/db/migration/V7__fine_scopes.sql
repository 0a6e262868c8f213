-- Fine scopes (docs/security.md). A department's key could reach agents and billing with any scope before; it
-- keeps exactly that: agents:read, agents:write and billing:read are added to every department key not bound to an
-- agent (agents' own keys only ever held inference). Scopes stay sorted and space-separated, as ApiKey writes them.
UPDATE api_key
   SET scopes = (SELECT string_agg(scope, ' ' ORDER BY scope COLLATE "C")
                   FROM (SELECT DISTINCT unnest(string_to_array(scopes, ' ')
                                || ARRAY['agents:read', 'agents:write', 'billing:read']) AS scope) AS held)
 WHERE department_id IS NOT NULL AND agent_id IS NULL;

-- A key of no department holds only platform scopes: admin, billing:admin, keys:admin, or agent-service's agent-keys.
ALTER TABLE api_key DROP CONSTRAINT api_key_department_required;
ALTER TABLE api_key ADD CONSTRAINT api_key_department_required
    CHECK (department_id IS NOT NULL OR scopes ~ '^(admin|agent-keys|billing:admin|keys:admin)( (admin|billing:admin|keys:admin))*$');
