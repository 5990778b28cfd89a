-- Energy purchase schedules (seed 000) and their hand-over to the workflow engine.
--
-- A purchase and all its rows are written in one transaction. The purchase row is also the
-- outbox of the dispatch: a purchase is `pending` until the dispatcher has handed it to the
-- workflow engine (Argo Workflows, or an AMQP message), then `submitted`, `running`, and finally
-- `completed` or `failed`. Dispatchers of any replica claim due rows with FOR UPDATE SKIP LOCKED
-- and a lease (next_dispatch_at moved ahead), so no row is dispatched by two at once; the
-- workflow's name is derived from the purchase id, so a dispatch repeated after a crash is
-- refused by the engine as AlreadyExists instead of making a second workflow.

CREATE TABLE purchases (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id     uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    retailer_id         uuid NOT NULL REFERENCES retailers (id),
    -- The user (users.id) the purchase was submitted for, and the name the path gave it. Not a
    -- foreign key: `users` comes later in migration order (0020); tradingd checks the user at
    -- submission, and a purchase stays on record if its user is removed.
    user_id             uuid NOT NULL,
    username            text NOT NULL,
    -- The API token that submitted it.
    submitted_by        uuid,
    row_count           integer NOT NULL CHECK (row_count > 0),
    first_period_start  timestamptz NOT NULL,
    last_period_start   timestamptz NOT NULL,
    status              text NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'submitted', 'running', 'completed', 'failed')),
    -- Empty while all is well; the last dispatch failure while pending (it is retried), the
    -- workflow's message once failed.
    error               text NOT NULL DEFAULT '',
    -- Set when handed over: 'argo' or 'amqp', and the workflow's name.
    engine              text CHECK (engine IN ('argo', 'amqp')),
    workflow_name       text,
    dispatch_attempts   integer NOT NULL DEFAULT 0,
    -- When the dispatcher may (next) try; also the lease of a claimed dispatch. NULL once handed over.
    next_dispatch_at    timestamptz DEFAULT now(),
    -- Argo only: when its workflow's status is (next) read; also the lease of a claimed poll.
    next_poll_at        timestamptz,
    poll_failures       integer NOT NULL DEFAULT 0,
    submitted_at        timestamptz,
    started_at          timestamptz,
    finished_at         timestamptz,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);
-- The dispatcher's queue and the poller's.
CREATE INDEX purchases_dispatch_due ON purchases (next_dispatch_at) WHERE status = 'pending';
CREATE INDEX purchases_poll_due ON purchases (next_poll_at) WHERE status IN ('submitted', 'running');
-- GET /api/v0/user/{user}/purchases, newest first.
CREATE INDEX purchases_user ON purchases (organization_id, user_id, created_at DESC, id DESC);

-- One row per market period: the instant it starts (UTC), the local label the client sent, which
-- appearance of that label it is (2 for the second pass through a fall-back repeated hour), and
-- the quantity in MW, exact to the kW.
CREATE TABLE purchase_rows (
    purchase_id  uuid NOT NULL REFERENCES purchases (id) ON DELETE CASCADE,
    period_start timestamptz NOT NULL,
    label        text NOT NULL,
    occurrence   smallint NOT NULL DEFAULT 1 CHECK (occurrence IN (1, 2)),
    mw           numeric(18, 3) NOT NULL,
    PRIMARY KEY (purchase_id, period_start)
);

CREATE FUNCTION purchases_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := clock_timestamp();
    RETURN NEW;
END
$$;
CREATE TRIGGER purchases_touch BEFORE UPDATE ON purchases FOR EACH ROW EXECUTE FUNCTION purchases_touch();

-- Order of the statuses; updates only ever move a purchase forward (engine updates may arrive
-- late or twice).
CREATE FUNCTION purchase_status_rank(status text) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE status WHEN 'pending' THEN 0 WHEN 'submitted' THEN 1 WHEN 'running' THEN 2 ELSE 3 END;
