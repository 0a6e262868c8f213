-- Departments: the unit that API keys, agents, usage and charges belong to.
CREATE TABLE department (
    id               UUID         PRIMARY KEY,
    name             VARCHAR(100) NOT NULL,
    cost_centre_code VARCHAR(32)  NOT NULL,
    created_at       TIMESTAMPTZ  NOT NULL,
    updated_at       TIMESTAMPTZ  NOT NULL,
    version          BIGINT       NOT NULL DEFAULT 0
);

CREATE UNIQUE INDEX department_name_key ON department (lower(name));
CREATE UNIQUE INDEX department_cost_centre_code_key ON department (lower(cost_centre_code));
