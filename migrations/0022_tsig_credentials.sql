-- TSIG keys as credentials of every write (issue 13): a DNS UPDATE signed
-- with a key opens its transaction with dnsapi_tsig_key_check, as a bearer
-- token's request opens it with dnsapi_token_check, and the audit trail
-- names the key the way it names the token.

-- The audit entry of a change made with a key. The audit trigger of
-- migration 0001 fills token_id from the transaction's setting; a row
-- trigger on changes fills tsig_key_id the same way, so the audit trigger
-- itself is left as it is.
ALTER TABLE changes ADD COLUMN tsig_key_id uuid;

CREATE FUNCTION dnsapi_changes_credential() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.tsig_key_id IS NULL THEN
        NEW.tsig_key_id := NULLIF(current_setting('dnsapi.tsig_key_id', true), '')::uuid;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER changes_credential BEFORE INSERT ON changes
    FOR EACH ROW EXECUTE FUNCTION dnsapi_changes_credential();

-- Opens an operation made with a TSIG key: the key must still stand
-- (neither revoked nor expired: DA002, like a token), its zone limit holds
-- for the transaction (dnsapi_zone_id reads dnsapi.token_zones) and the
-- audit trail names it.
CREATE FUNCTION dnsapi_tsig_key_check(key uuid) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    limit_zones text[];
BEGIN
    SELECT k.zones INTO limit_zones FROM tsig_keys k
     WHERE k.id = key AND k.revoked_at IS NULL AND k.expires_at > now();
    IF NOT FOUND THEN
        RAISE EXCEPTION 'TSIG key revoked or expired' USING ERRCODE = 'DA002';
    END IF;
    PERFORM set_config('dnsapi.token_id', '', true);
    PERFORM set_config('dnsapi.tsig_key_id', key::text, true);
    PERFORM set_config('dnsapi.token_zones', coalesce(array_to_string(limit_zones, ' '), ''), true);
END
$$;
