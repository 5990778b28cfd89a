-- Prepaid electricity vending (seed 001): the agents who log in to vend, their api_tokens, and
-- the login throttle. Users belong to an organisation; the e-mail is their login name, unique
-- across organisations because a login names no organisation.

CREATE TABLE vend_users (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    -- Stored lower-cased: logins compare case-insensitively.
    email           text NOT NULL UNIQUE CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    -- PBKDF2-HMAC-SHA256 in the PHC string form the Crypto target writes.
    password_hash   text NOT NULL CHECK (password_hash LIKE '$pbkdf2-sha256$%'),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    -- A disabled user cannot log in, and its tokens stop working; its history stays.
    disabled_at     timestamptz
);
CREATE INDEX vend_users_organization ON vend_users (organization_id);

-- api_tokens issued by login and verify-customer: only the SHA-256 of the token is kept, and
-- every token expires.
CREATE TABLE vend_api_tokens (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     uuid NOT NULL REFERENCES vend_users (id) ON DELETE CASCADE,
    token_hash  bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz,
    CHECK (expires_at > created_at)
);
CREATE INDEX vend_api_tokens_user ON vend_api_tokens (user_id);
CREATE INDEX vend_api_tokens_expiry ON vend_api_tokens (expires_at);

-- Failed logins counted per key ('account:<email>' and 'address:<ip>') in a fixed window; a key
-- over its limit is locked until locked_until. Shared by every replica.
CREATE TABLE vend_login_throttle (
    key               text PRIMARY KEY,
    failures          integer NOT NULL CHECK (failures >= 0),
    window_started_at timestamptz NOT NULL,
    locked_until      timestamptz
);
