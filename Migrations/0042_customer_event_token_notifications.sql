-- Lets the daemons cache seed 003's auth tokens (`CustomerEventTokenCache`) and still refuse one
-- at once when it stops being valid, through the channel and functions of migration 0040: a
-- token changed or deleted sends its SHA-256 (as an API token does); an API key changed or
-- deleted sends "forget every token" (revoking a key ends all of its tokens; revocations are
-- rare). Sent at commit, only if the transaction commits. Numbered after 0041 rather than with
-- the customer-data family (0020-0029): it extends 0040, and the migrator refuses a new file
-- numbered below one already applied.
CREATE TRIGGER customer_event_tokens_notify_change AFTER UPDATE OR DELETE ON customer_event_tokens
    FOR EACH ROW EXECUTE FUNCTION notify_api_token_change();

CREATE TRIGGER customer_event_api_keys_notify_change AFTER UPDATE OR DELETE ON customer_event_api_keys
    FOR EACH STATEMENT EXECUTE FUNCTION notify_organization_change();
