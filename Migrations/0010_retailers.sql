-- Retailers an organisation submits energy purchase schedules for (seed 000's `{id-retailer}` /
-- `retailer_id`), with the market rules that shape a schedule: the IANA time zone of its rows'
-- local times, the market interval, whether a row's label marks the start or the end of its period,
-- whether negative quantities (sales) are accepted, and the largest quantity per row.

CREATE TABLE retailers (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    -- The identifier clients send, e.g. `123`; unique in the organisation.
    external_id      text NOT NULL CHECK (external_id ~ '^[A-Za-z0-9][A-Za-z0-9._~-]{0,63}$'),
    name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    -- Checked against the tz database by tradingd (the operating system's, which it uses).
    time_zone        text NOT NULL CHECK (length(time_zone) BETWEEN 1 AND 64),
    interval_minutes integer NOT NULL DEFAULT 15 CHECK (interval_minutes BETWEEN 1 AND 60 AND 60 % interval_minutes = 0),
    label_marks      text NOT NULL DEFAULT 'start' CHECK (label_marks IN ('start', 'end')),
    allows_sales     boolean NOT NULL DEFAULT false,
    maximum_mw       numeric(18, 3) NOT NULL DEFAULT 100000 CHECK (maximum_mw > 0),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, external_id)
);
