-- Vend transactions, exactly once per transID, and the elec_tokens that authorise them.
--
-- status: 'pending' (committed before the provider is called; the caller that inserted it owns
-- the call until next_reconcile_at) -> 'success' (receipt kept) or 'failed' (the provider
-- refused, or certainly never got the request) or 'unknown' (timeout, 5xx, lost connection: the
-- provider may or may not have sold). An unsettled row ('pending' or 'unknown') whose
-- next_reconcile_at has passed is settled only by the provider's advice call, by the
-- reconciliation job: never by vending again. For 'pending' that time is the lease of the caller
-- that inserted it (longer than its provider call may take), so a caller that died is noticed.

-- elec_tokens from verify-customer: one caller, one purchase, short-lived, single use. Only the
-- SHA-256 of the token is kept.
CREATE TABLE vend_elec_tokens (
    token_hash   bytea PRIMARY KEY CHECK (length(token_hash) = 32),
    user_id      uuid NOT NULL REFERENCES vend_users (id) ON DELETE CASCADE,
    trans_id     text NOT NULL,
    meter_number text NOT NULL,
    amount       numeric(12, 2) NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    used_at      timestamptz
);
CREATE INDEX vend_elec_tokens_expiry ON vend_elec_tokens (expires_at);

CREATE TABLE vend_transactions (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- The client's transID, sent to the provider as clientSaleId: unique across the deployment,
    -- so one provider account never sees the same id twice.
    trans_id            text NOT NULL UNIQUE CHECK (length(trans_id) BETWEEN 1 AND 64),
    organization_id     uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    -- Users are disabled, not deleted, while they have history.
    user_id             uuid NOT NULL REFERENCES vend_users (id) ON DELETE RESTRICT,
    meter_number        text NOT NULL,
    amount              numeric(12, 2) NOT NULL CHECK (amount > 0 AND amount = trunc(amount)),
    status              text NOT NULL CHECK (status IN ('pending', 'unknown', 'success', 'failed')),
    -- The provider that was (or may have been) asked, so the same one settles it.
    provider            text NOT NULL,
    -- The seed-shaped receipt (receiptItems) of a success.
    receipt             jsonb,
    -- Why it failed (the provider's fault, or ours), for the seed's provider-failure body.
    failure_code        text,
    failure_message     text,
    failure_details     text,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    settled_at          timestamptz,
    reconcile_attempts  integer NOT NULL DEFAULT 0,
    next_reconcile_at   timestamptz,
    last_reconcile_note text,
    CHECK ((status = 'success') = (receipt IS NOT NULL)),
    CHECK ((status IN ('success', 'failed')) = (settled_at IS NOT NULL)),
    CHECK ((status IN ('pending', 'unknown')) = (next_reconcile_at IS NOT NULL))
);
-- GET /api/transactions: the caller's own, newest first.
CREATE INDEX vend_transactions_user ON vend_transactions (user_id, created_at DESC, id DESC);
-- The reconciliation job's queue.
CREATE INDEX vend_transactions_unsettled ON vend_transactions (next_reconcile_at) WHERE status IN ('pending', 'unknown');
