-- The change model (api/ and storage/ rebuilt around one write path).
--
-- 1. A token's zone limit is kept by the database for every statement of
--    an operation: dnsapi_token_check, which opens each operation's
--    transaction, remembers the token's zones for that transaction, and
--    dnsapi_zone_id (how every statement finds {zone}) answers NULL for a
--    zone outside them. So a write never needs a round of its own to find
--    out whether a zone given by id is one the token may touch.
-- 2. NS records are found by their target (is this name a name server of a
--    delegation?) through an index instead of a scan of the zone.

CREATE OR REPLACE FUNCTION dnsapi_token_check(token uuid) RETURNS void
LANGUAGE plpgsql STABLE AS $$
DECLARE
    limit_zones text[];
BEGIN
    SELECT t.zones INTO limit_zones FROM tokens t
     WHERE t.id = token AND t.revoked_at IS NULL AND t.expires_at > now();
    IF NOT FOUND THEN
        RAISE EXCEPTION 'token revoked or expired' USING ERRCODE = 'DA002';
    END IF;
    PERFORM set_config('dnsapi.token_id', token::text, true);
    -- zone names hold no spaces
    PERFORM set_config('dnsapi.token_zones', coalesce(array_to_string(limit_zones, ' '), ''), true);
END
$$;

CREATE OR REPLACE FUNCTION dnsapi_zone_id(account uuid, zone_key text) RETURNS uuid
LANGUAGE plpgsql STABLE AS $$
DECLARE
    zid uuid;
    zname text;
    limit_zones text := coalesce(current_setting('dnsapi.token_zones', true), '');
BEGIN
    IF zone_key ~ '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' THEN
        SELECT id, name INTO zid, zname FROM zones WHERE id = zone_key::uuid AND account_id = account;
    ELSE
        SELECT id, name INTO zid, zname FROM zones WHERE name = zone_key AND account_id = account;
    END IF;
    IF zid IS NOT NULL AND limit_zones <> '' AND NOT zname = ANY (string_to_array(limit_zones, ' ')) THEN
        RETURN NULL;
    END IF;
    RETURN zid;
END
$$;

CREATE INDEX records_ns_target_idx ON records (zone_id, content) WHERE type = 'NS';
