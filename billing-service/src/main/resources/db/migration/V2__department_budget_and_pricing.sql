-- What each department may spend per month and how it is charged.
ALTER TABLE department
    ADD COLUMN monthly_budget       NUMERIC(19,6),
    ADD COLUMN soft_alert_percent   INT           NOT NULL DEFAULT 80 CHECK (soft_alert_percent BETWEEN 1 AND 100),
    ADD COLUMN hard_cap             BOOLEAN       NOT NULL DEFAULT false,
    ADD COLUMN pricing_mode         VARCHAR(16)   NOT NULL DEFAULT 'LIST_PRICE',
    ADD COLUMN margin_percent       NUMERIC(9,4)  NOT NULL DEFAULT 0 CHECK (margin_percent >= 0),
    ADD CONSTRAINT department_budget_not_negative CHECK (monthly_budget IS NULL OR monthly_budget >= 0),
    ADD CONSTRAINT department_pricing_mode_known CHECK (pricing_mode IN ('LIST_PRICE', 'COST_PLUS'));
