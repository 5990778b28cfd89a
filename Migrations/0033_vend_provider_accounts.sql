-- The PrepaidPlus merchant account an organisation vends through. Without a row the
-- organisation uses the built-in simulator. The API key and password are sealed with AES-256-GCM
-- under TRADINGD_SECRET_KEY (Crypto.Keyring); the database never holds them in clear.

CREATE TABLE vend_provider_accounts (
    organization_id uuid PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    -- e.g. https://tps.prepaidplus.co.bw/apimanager/rest/basic/v1/electricity
    base_url        text NOT NULL CHECK (base_url ~ '^https?://'),
    api_key_sealed  text NOT NULL,
    password_sealed text NOT NULL,
    outlet_id       text NOT NULL CHECK (length(outlet_id) BETWEEN 1 AND 64),
    operator_id     text NOT NULL CHECK (length(operator_id) BETWEEN 1 AND 64),
    terminal_id     text NOT NULL CHECK (length(terminal_id) BETWEEN 1 AND 64),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
