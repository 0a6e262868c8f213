-- Each department's budget state as billing-service last reported it (budget-status-changed).
CREATE TABLE department_budget (
    department_id UUID          PRIMARY KEY,
    period        VARCHAR(7)    NOT NULL,
    state         VARCHAR(16)   NOT NULL,
    hard_cap      BOOLEAN       NOT NULL,
    spent         NUMERIC(19,6) NOT NULL,
    budget_limit  NUMERIC(19,6) NOT NULL,
    currency      VARCHAR(3)    NOT NULL,
    reported_at   TIMESTAMPTZ   NOT NULL
);
