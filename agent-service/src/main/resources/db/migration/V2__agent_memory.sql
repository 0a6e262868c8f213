-- An agent's own key-value memory (the remember and recall tools).
CREATE TABLE agent_memory (
    agent_id   UUID          NOT NULL REFERENCES agent (id),
    key        VARCHAR(100)  NOT NULL,
    value      VARCHAR(4000) NOT NULL,
    updated_at TIMESTAMPTZ   NOT NULL,
    PRIMARY KEY (agent_id, key)
);
