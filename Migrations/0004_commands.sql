-- Command relay (DESIGN §4, §7): partner commands from P.commands, their relay to the ESM, the
-- ESM's acknowledgements, and an outbox of status-change events for P.events.
--
-- status: PENDING (recorded; waiting for, or between, relay attempts) -> RELAYED (the ESM
-- answered 202), or terminal REJECTED (a type partners may not send, or a 4xx from the ESM),
-- EXPIRED (valid_until passed before the ESM took it), FAILED (no valid_until and the relay gave
-- up after its maximum relay window).
-- ack_status: NULL until the ESM acknowledges; ACCEPTED / REJECTED / EXECUTED / FAILED as the
-- ESM reports, TIMEOUT when no ack came within the configured time after relaying. An ack may
-- land while status is still PENDING (the ESM acked before answering the relay's call): the
-- relay's own updates never touch the ack columns.

CREATE TABLE command_log (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    plant_id         uuid NOT NULL REFERENCES plants (id) ON DELETE CASCADE,
    message_id       text NOT NULL,
    correlation_id   text NOT NULL,
    command_type     text NOT NULL CHECK (command_type IN ('SITE_SETPOINT', 'MODE_CHANGE', 'DEVICE_COMMAND', 'EMERGENCY')),
    payload          jsonb NOT NULL,
    -- The routing key the command arrived with, and the organisation's queue prefix (events go
    -- to <queue_prefix>.events).
    routing_key      text NOT NULL,
    queue_prefix     text NOT NULL,
    -- The partner's siteId (the ESM's id of the plant), when it named the plant that way.
    site_id          text,
    status           text NOT NULL CHECK (status IN ('PENDING', 'RELAYED', 'REJECTED', 'EXPIRED', 'FAILED')),
    ack_status       text CHECK (ack_status IN ('ACCEPTED', 'REJECTED', 'EXECUTED', 'FAILED', 'TIMEOUT')),
    executed_at      timestamptz,
    rejection_reason text,
    valid_until      timestamptz,
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    last_error       text,
    relayed_at       timestamptz,
    acked_at         timestamptz,
    -- Bumped by every change partners see (status, ack, reason, execution time); events carry it
    -- so a consumer can order them.
    revision         integer NOT NULL DEFAULT 1,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    -- A redelivered or republished command is the same row: it is never relayed twice.
    UNIQUE (organization_id, message_id)
);
-- The relay worker's queue, and the ack-timeout sweep.
CREATE INDEX command_log_due ON command_log (next_attempt_at) WHERE status = 'PENDING';
CREATE INDEX command_log_awaiting_ack ON command_log (relayed_at) WHERE status = 'RELAYED' AND ack_status IS NULL;
-- Acks match by correlation id within the organisation.
CREATE INDEX command_log_correlation ON command_log (organization_id, correlation_id, created_at DESC);
-- GET /plants/{plantId}/command-log, newest first, optionally by type.
CREATE INDEX command_log_plant ON command_log (plant_id, created_at DESC, id DESC);
CREATE INDEX command_log_plant_type ON command_log (plant_id, command_type, created_at DESC, id DESC);

-- The events outbox: written by triggers in the transaction that changed the command, published
-- to P.events (with confirms) by the outbox publisher in id order, then marked published. Per
-- command, ids follow commit order, since each change holds the command's row lock.
CREATE TABLE command_events (
    id              bigserial PRIMARY KEY,
    command_id      uuid NOT NULL REFERENCES command_log (id) ON DELETE CASCADE,
    organization_id uuid NOT NULL,
    routing_key     text NOT NULL,
    body            jsonb NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    published_at    timestamptz
);
CREATE INDEX command_events_unpublished ON command_events (id) WHERE published_at IS NULL;

CREATE FUNCTION command_rfc3339(value timestamptz) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN to_char(value AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');

CREATE FUNCTION command_log_revise() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status IS DISTINCT FROM OLD.status OR NEW.ack_status IS DISTINCT FROM OLD.ack_status
        OR NEW.rejection_reason IS DISTINCT FROM OLD.rejection_reason OR NEW.executed_at IS DISTINCT FROM OLD.executed_at
    THEN
        NEW.revision := OLD.revision + 1;
    END IF;
    NEW.updated_at := clock_timestamp();
    RETURN NEW;
END
$$;
CREATE TRIGGER command_log_revise BEFORE UPDATE ON command_log
    FOR EACH ROW EXECUTE FUNCTION command_log_revise();

CREATE FUNCTION command_log_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.revision = OLD.revision THEN
        RETURN NULL;
    END IF;
    INSERT INTO command_events (command_id, organization_id, routing_key, body)
    VALUES (NEW.id, NEW.organization_id, NEW.queue_prefix || '.events', jsonb_build_object(
        'type', 'command.status',
        'commandId', NEW.id,
        'organizationId', NEW.organization_id,
        'plantId', NEW.plant_id,
        'siteId', NEW.site_id,
        'messageId', NEW.message_id,
        'correlationId', NEW.correlation_id,
        'commandType', NEW.command_type,
        'status', NEW.status,
        'ackStatus', NEW.ack_status,
        'rejectionReason', NEW.rejection_reason,
        'executedAt', command_rfc3339(NEW.executed_at),
        'revision', NEW.revision,
        'occurredAt', command_rfc3339(clock_timestamp())));
    RETURN NULL;
END
$$;
CREATE TRIGGER command_log_event AFTER INSERT OR UPDATE ON command_log
    FOR EACH ROW EXECUTE FUNCTION command_log_event();
