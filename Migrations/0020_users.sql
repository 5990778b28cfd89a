-- Users of an organisation: the people or businesses its API clients act for. Seed 002 reads and
-- updates their profile; seed 000 names one in its paths (`/api/v0/user/{user}/...`). Family data
-- (sales history, purchases, ...) lives in tables of its own that reference users (id).

CREATE TABLE users (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    -- The name a partner gives the user in paths and files (seed 000's `{user}`, e.g.
    -- `trebolenergia`): unique in the organisation regardless of case, URL-safe as written.
    username        text NOT NULL CHECK (username ~ '^[A-Za-z0-9][A-Za-z0-9._~@-]{0,127}$'),
    -- Seed 002's profile. Text fields are NULL when unknown.
    image           text,
    name            text,
    lastname        text,
    business_name   text,
    quota           numeric,
    status          text NOT NULL DEFAULT 'active' CHECK (length(status) BETWEEN 1 AND 50),
    phone           text,
    email           text,
    nit             text,
    address         text,
    score           numeric,
    payment_data    jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(payment_data) = 'object'),
    apn_token       text,
    ecosystem       text,
    business_entity text,
    additional_data jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(additional_data) = 'object'),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_organization_username ON users (organization_id, lower(username));
