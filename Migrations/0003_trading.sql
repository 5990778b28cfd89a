-- Trading partner configuration per organisation and the plant configuration audit trail
-- (DESIGN §4, §6; seed 004).

-- One row per organisation. The ESM client secret and the partner's AMQP password are stored only
-- sealed (AES-256-GCM, `v1.<keyId>.<data>`, see Crypto.Keyring), never in clear.
CREATE TABLE trading_configs (
    id                       uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id          uuid NOT NULL UNIQUE REFERENCES organizations (id) ON DELETE CASCADE,
    esm_api_url              text,
    esm_client_id            text,
    esm_client_secret_sealed text CHECK (esm_client_secret_sealed IS NULL OR esm_client_secret_sealed LIKE 'v1.%'),
    -- Queue and partner user names start with it, so it is unique across organisations.
    queue_prefix             text NOT NULL UNIQUE CHECK (queue_prefix ~ '^[a-z0-9][a-z0-9-]{0,48}[a-z0-9]$'),
    status                   text NOT NULL DEFAULT 'DISABLED' CHECK (status IN ('ENABLED', 'DISABLED')),
    -- The partner's RabbitMQ password, sealed; set while a partner user exists (enabled).
    amqp_password_sealed     text CHECK (amqp_password_sealed IS NULL OR amqp_password_sealed LIKE 'v1.%'),
    last_sync_at             timestamptz,
    last_sync_error          text,
    created_at               timestamptz NOT NULL DEFAULT now(),
    updated_at               timestamptz NOT NULL DEFAULT now()
);
-- The periodic sync walks the enabled organisations.
CREATE INDEX trading_configs_enabled ON trading_configs (organization_id) WHERE status = 'ENABLED';

-- Every plant configuration request sent to the ESM (or refused before it) and the ESM's answer.
CREATE TABLE plant_config_log (
    id              bigserial PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    plant_id        uuid NOT NULL REFERENCES plants (id) ON DELETE CASCADE,
    -- The API token (principal) that asked.
    requested_by    uuid,
    validate_only   boolean NOT NULL,
    config_snapshot jsonb NOT NULL,
    request_code    text,
    result_code     text,
    is_error        boolean NOT NULL DEFAULT false,
    is_terminal     boolean NOT NULL DEFAULT false,
    message         text,
    sent_at         timestamptz,
    responded_at    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX plant_config_log_plant ON plant_config_log (plant_id, id DESC);
