-- A read is one statement: the token's check, the zone and the page travel
-- together (storage/statements.c, record_page_*). The check there is
-- dnsapi_token_gate(EXISTS (...)): a condition on no table, so PostgreSQL
-- evaluates it once, before anything else, and the statement fails with
-- DA002 when the token no longer stands, exactly like dnsapi_token_check.
CREATE FUNCTION dnsapi_token_gate(ok boolean) RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF ok IS NOT TRUE THEN
        RAISE EXCEPTION 'token revoked or expired' USING ERRCODE = 'DA002';
    END IF;
    RETURN true;
END
$$;
