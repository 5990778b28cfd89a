-- Seed 002: each user's sales history. Items are merged by (nit, fecha, emc), never replaced: a
-- known key updates its monto, a new one is added. Column names follow the seed.

-- The IANA time zone an organisation's local times are read in; NULL means each API family's
-- default (America/Bogota for the customer-data family).
ALTER TABLE organizations ADD COLUMN time_zone text CHECK (time_zone IS NULL OR length(time_zone) BETWEEN 1 AND 64);

CREATE TABLE user_sales_history (
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- Normalised: digits only, the check digit last when the client gave one.
    nit        text NOT NULL CHECK (nit ~ '^[0-9]{3,16}$'),
    fecha      timestamptz NOT NULL,
    -- Trimmed, inner white space collapsed, Unicode NFC.
    emc        text NOT NULL CHECK (length(emc) BETWEEN 1 AND 200),
    monto      numeric NOT NULL CHECK (monto >= 0),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    -- fecha second, so the key's index also gives a user's history in date order.
    PRIMARY KEY (user_id, fecha, nit, emc)
);
