-- Fenced relay claims (docs/RELIABILITY.md, "Relay leases are fenced").
--
-- A relay worker claims one command at a time and writes a token of its own with the lease; every
-- outcome it records afterwards (RELAYED, a terminal status, the next retry) applies only while
-- the row still carries that token. A worker whose lease ran out and whose command was claimed
-- again by another worker can no longer record anything for it, so it cannot schedule a retry
-- that would invite a third send.
ALTER TABLE command_log ADD COLUMN claim_token uuid;
