-- Seed 003: purchase customer events, the reference data they name, and the API keys and auth
-- tokens of the clients that post them. All of it belongs to one organisation.

-- Contacts (customers), their accounts, and the identification media (CIMs) that name them.
CREATE TABLE loyalty_contacts (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    -- The contact's code in the partner's own system, for imports (optional).
    code            text CHECK (code IS NULL OR length(code) BETWEEN 1 AND 100),
    name            text CHECK (name IS NULL OR length(name) <= 200),
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX loyalty_contacts_organization ON loyalty_contacts (organization_id);
CREATE UNIQUE INDEX loyalty_contacts_code ON loyalty_contacts (organization_id, code) WHERE code IS NOT NULL;

-- A contact with several accounts posts against its primary one: at most one is primary.
CREATE TABLE loyalty_accounts (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    contact_id uuid NOT NULL REFERENCES loyalty_contacts (id) ON DELETE CASCADE,
    number     text NOT NULL CHECK (length(number) BETWEEN 1 AND 100),
    is_primary boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (contact_id, number)
);
CREATE UNIQUE INDEX loyalty_accounts_primary ON loyalty_accounts (contact_id) WHERE is_primary;

CREATE TABLE loyalty_identification_media (
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    value           text NOT NULL CHECK (length(value) BETWEEN 1 AND 100),
    contact_id      uuid NOT NULL REFERENCES loyalty_contacts (id) ON DELETE CASCADE,
    PRIMARY KEY (organization_id, value)
);
CREATE INDEX loyalty_identification_media_contact ON loyalty_identification_media (contact_id);

-- Business units: merchants and their outlets (an outlet's parent is its merchant).
CREATE TABLE loyalty_business_units (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    code            text NOT NULL CHECK (length(code) BETWEEN 1 AND 100),
    name            text CHECK (name IS NULL OR length(name) <= 200),
    parent_id       uuid REFERENCES loyalty_business_units (id) CHECK (parent_id IS DISTINCT FROM id),
    UNIQUE (organization_id, code)
);

CREATE TABLE loyalty_classifications (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    code            text NOT NULL CHECK (length(code) BETWEEN 1 AND 100),
    name            text CHECK (name IS NULL OR length(name) <= 200),
    UNIQUE (organization_id, code)
);

CREATE TABLE loyalty_products (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    sku             text NOT NULL CHECK (length(sku) BETWEEN 1 AND 100),
    name            text CHECK (name IS NULL OR length(name) <= 200),
    UNIQUE (organization_id, sku)
);

-- The ISO 4217 currencies an organisation's events may use.
CREATE TABLE loyalty_currencies (
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    code            text NOT NULL CHECK (code ~ '^[A-Z]{3}$'),
    PRIMARY KEY (organization_id, code)
);

-- Clients' API keys, stored as SHA-256 (keys are long random strings, so a fast hash is enough).
-- A client trades its key for an expiring auth token; the event endpoints take only tokens.
CREATE TABLE customer_event_api_keys (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    key_hash        bytea NOT NULL UNIQUE CHECK (length(key_hash) = 32),
    label           text NOT NULL CHECK (length(label) BETWEEN 1 AND 200),
    created_at      timestamptz NOT NULL DEFAULT now(),
    revoked_at      timestamptz
);
CREATE INDEX customer_event_api_keys_organization ON customer_event_api_keys (organization_id);

-- Revoking a key ends its tokens too (they are checked through it).
CREATE TABLE customer_event_tokens (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    api_key_id  uuid NOT NULL REFERENCES customer_event_api_keys (id) ON DELETE CASCADE,
    token_hash  bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL
);
CREATE INDEX customer_event_tokens_expiry ON customer_event_tokens (expires_at);

CREATE TABLE purchase_customer_events (
    organization_id           uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    id                        uuid NOT NULL,
    reference_number          text NOT NULL CHECK (length(reference_number) BETWEEN 1 AND 100),
    contact_id                uuid NOT NULL REFERENCES loyalty_contacts (id),
    account_id                uuid NOT NULL REFERENCES loyalty_accounts (id),
    -- The CIM the client named the contact by, if it did.
    cim                       text,
    classification_id         uuid REFERENCES loyalty_classifications (id),
    currency_code             text,
    payment_medium_identifier text,
    performed_on              timestamptz NOT NULL,
    merchant_id               uuid REFERENCES loyalty_business_units (id),
    outlet_id                 uuid REFERENCES loyalty_business_units (id),
    spend_amount              numeric CHECK (spend_amount > 0),
    spend_alternative_amount  numeric CHECK (spend_alternative_amount > 0),
    total_amount              numeric NOT NULL,
    -- The request in canonical form without its id: "the same body" for idempotency.
    request                   jsonb NOT NULL,
    api_key_id                uuid REFERENCES customer_event_api_keys (id) ON DELETE SET NULL,
    life_cycle_state          text NOT NULL DEFAULT 'POSTED' CHECK (life_cycle_state = 'POSTED'),
    created_at                timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    -- The external system's reference number is unique per organisation (seed 003).
    UNIQUE (organization_id, reference_number),
    CHECK (merchant_id IS NOT NULL OR outlet_id IS NOT NULL),
    CHECK (spend_amount IS NULL OR spend_alternative_amount IS NULL)
);
-- A contact's events, newest first, for the paged list.
CREATE INDEX purchase_customer_events_contact ON purchase_customer_events (organization_id, contact_id, performed_on DESC, id);

CREATE TABLE purchase_customer_event_products (
    organization_id uuid NOT NULL,
    event_id        uuid NOT NULL,
    line            integer NOT NULL,
    product_id      uuid NOT NULL REFERENCES loyalty_products (id),
    quantity        numeric NOT NULL CHECK (quantity > 0),
    net_amount      numeric NOT NULL CHECK (net_amount >= 0),
    tax_amount      numeric NOT NULL CHECK (tax_amount >= 0),
    total_amount    numeric NOT NULL CHECK (total_amount = net_amount + tax_amount),
    PRIMARY KEY (organization_id, event_id, line),
    FOREIGN KEY (organization_id, event_id) REFERENCES purchase_customer_events (organization_id, id) ON DELETE CASCADE
);
