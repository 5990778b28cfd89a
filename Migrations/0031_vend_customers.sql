-- The customers an organisation vends to and their prepaid meters (STS numbers: 11 or 13
-- digits; the Luhn check digit is checked by the application, which may exempt a configured
-- demo or sandbox meter). Created and imported with `tradingd vend customer|meter ...`.

CREATE TABLE vend_customers (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    account_no      text NOT NULL CHECK (length(account_no) BETWEEN 1 AND 64),
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    address         text,
    contact_number  text,
    location_ref    text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, account_no),
    -- The target of vend_meters' composite key, so a meter cannot name another organisation's customer.
    UNIQUE (organization_id, id)
);

CREATE TABLE vend_meters (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL,
    customer_id     uuid NOT NULL,
    meter_number    text NOT NULL CHECK (meter_number ~ '^([0-9]{11}|[0-9]{13})$'),
    tariff_name     text NOT NULL DEFAULT '',
    -- STS parameters printed on receipts: supply group code, tariff index, key revision number,
    -- token technology, algorithm.
    sgc             text NOT NULL DEFAULT '',
    ti              text NOT NULL DEFAULT '',
    krn             text NOT NULL DEFAULT '',
    tt              text NOT NULL DEFAULT '',
    alg             text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, meter_number),
    FOREIGN KEY (organization_id, customer_id) REFERENCES vend_customers (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX vend_meters_customer ON vend_meters (customer_id);
