-- Time-of-use bands of a tariff: from a local time of day (billing time zone) to another, a price of its own; the
-- tariff's price applies outside every band. A band may wrap midnight (22:00–06:00).
CREATE TABLE energy_tariff_band (
    tariff_id     UUID          NOT NULL REFERENCES energy_tariff (id),
    starts_at     TIME          NOT NULL,
    ends_at       TIME          NOT NULL CHECK (ends_at <> starts_at),
    price_per_kwh NUMERIC(19,6) NOT NULL CHECK (price_per_kwh >= 0),
    PRIMARY KEY (tariff_id, starts_at)
);
