-- Organisations, their plants, and the API tokens that act for them.

CREATE TABLE organizations (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug       text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,48}[a-z0-9]$'),
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Opaque bearer tokens: only the SHA-256 of the token is kept.
CREATE TABLE api_tokens (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    token_hash      bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    role            text NOT NULL CHECK (role IN ('admin', 'operator', 'viewer')),
    scopes          text[] NOT NULL CHECK (scopes <@ ARRAY['trading', 'purchase', 'vend', 'loyalty']),
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz,
    revoked_at      timestamptz
);
CREATE INDEX api_tokens_organization ON api_tokens (organization_id);

-- Plants belong to one organisation; esm_plant_id links a plant to the ESM's record of it.
CREATE TABLE plants (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name            text NOT NULL,
    esm_plant_id    text,
    esm_state       text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, esm_plant_id)
);
CREATE INDEX plants_organization ON plants (organization_id);
