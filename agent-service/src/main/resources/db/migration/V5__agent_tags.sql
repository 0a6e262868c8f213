-- An agent's cost tags (team, project and keys an administrator allows, as a JSON object of strings), part of each
-- version; its key at the gateway carries them, so its usage is charged to them. agent_credential keeps the tags
-- last set on the key, so a change reaches the key before the agent's next request.
ALTER TABLE agent_version ADD COLUMN tags TEXT;
ALTER TABLE agent_credential ADD COLUMN tags TEXT;
