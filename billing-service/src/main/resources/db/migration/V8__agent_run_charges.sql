-- An agent run's tokens, joules and cost, found by its run id (agent-service shows them on the run).
ALTER TABLE usage_charge ADD COLUMN agent_run_id UUID;
CREATE INDEX usage_charge_agent_run_idx ON usage_charge (agent_run_id) WHERE agent_run_id IS NOT NULL;
