-- Tells every daemon at once when a token stops meaning what it meant (revoked, changed,
-- deleted; an organisation renamed or deleted), so that its cache of tokens forgets it
-- (`API.TokenRevocationListener`). The payload is the token's SHA-256 in hex; an empty
-- payload means "forget every token". Sent at commit, only if the transaction commits.
CREATE FUNCTION notify_api_token_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('tradingd_api_tokens', encode(OLD.token_hash, 'hex'));
    RETURN NULL;
END
$$;

CREATE TRIGGER api_tokens_notify_change AFTER UPDATE OR DELETE ON api_tokens
    FOR EACH ROW EXECUTE FUNCTION notify_api_token_change();

CREATE FUNCTION notify_organization_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('tradingd_api_tokens', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER organizations_notify_change AFTER UPDATE OF slug OR DELETE ON organizations
    FOR EACH STATEMENT EXECUTE FUNCTION notify_organization_change();
