-- A department without a budget is reported with no limit (billing sends null), not with a made-up number.
ALTER TABLE department_budget ALTER COLUMN budget_limit DROP NOT NULL;
