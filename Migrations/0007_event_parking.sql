-- Events that cannot be routed (docs/RELIABILITY.md, "One bad event never blocks event delivery").
--
-- The outbox publisher reads unpublished events outside any transaction, publishes them with
-- confirms, then marks them. An event the broker returns as unroutable (its organisation's
-- P.events queue is gone) is parked with the broker's reason instead of being retried forever in
-- front of every other organisation's events. Parked events are tried again after the relay's
-- parkedEventRetryInterval (5 minutes), so they leave once the queue is back (the organisation
-- was enabled again, say); an operator can send them at once with
--   UPDATE command_events SET parked_at = now() - interval '1 day' WHERE parked_at IS NOT NULL;
ALTER TABLE command_events ADD COLUMN parked_at timestamptz, ADD COLUMN park_error text;
DROP INDEX command_events_unpublished;
CREATE INDEX command_events_unpublished ON command_events (id) WHERE published_at IS NULL AND parked_at IS NULL;
CREATE INDEX command_events_parked ON command_events (parked_at) WHERE published_at IS NULL AND parked_at IS NOT NULL;
