-- Linked child zones: when an account creates a zone inside another zone of
-- its own, the nearest enclosing one (the parent) holds the delegation to
-- it - NS records equal to the child's apex NS set, and glue (the child's
-- A/AAAA records at the names of those name servers that lie inside the
-- child) - kept by dnsapi, not by hand.
--
-- Such records are system records (the guard of 0035 refuses every plain
-- write of them) and name the child in managed_by. One owner function,
-- dnsapi_delegation_sync(child), recomputes them from the child's current
-- records and writes only the difference; the serving role may call it (it
-- can only ask for the delegation to be made right, never say what it is),
-- and the API does so in the transaction of every write that can change
-- it: the child's creation and deletion (through
-- dnsapi_delegation_sync_pending, below), a change of its name servers, a
-- write of address records in it. The records' own statement triggers
-- (0001) step the parent's serial once per transaction, only when
-- something was written, and write its audit entries.
--
-- NS or address records the parent held by hand at those names are taken
-- over: an exact match becomes managed (an update in the audit trail), the
-- rest are deleted. DS records at the cut stay the account's.
--
-- zones.delegate is the flag of zone creation ("delegate": false keeps the
-- parent as it is). Zones that exist before this file keep their parents
-- as they are (false); new zones default to true.

ALTER TABLE records ADD COLUMN managed_by uuid;
CREATE INDEX records_managed_by_idx ON records (managed_by) WHERE managed_by IS NOT NULL;

ALTER TABLE zones ADD COLUMN delegate boolean NOT NULL DEFAULT false;
ALTER TABLE zones ALTER COLUMN delegate SET DEFAULT true;

-- The delegation zone zid should have in its parent, from its records: the
-- enabled apex NS set, and the enabled A/AAAA records at the NS targets
-- (every one of them in the zone lies inside it: glue).
CREATE FUNCTION dnsapi_delegation_wanted(zid uuid)
RETURNS TABLE (w_name text, w_type text, w_content text, w_ttl integer)
LANGUAGE sql STABLE AS $$
    WITH apex AS (
        SELECT r.name, r.content, r.ttl FROM zones z
          JOIN records r ON r.zone_id = z.id AND r.name = z.name AND r.type = 'NS'
                        AND NOT r.disabled
         WHERE z.id = zid)
    SELECT a.name, 'NS', a.content, a.ttl FROM apex a
    UNION ALL
    SELECT g.name, g.type, g.content, g.ttl FROM records g
     WHERE g.zone_id = zid AND g.type IN ('A', 'AAAA') AND NOT g.disabled
       AND g.name IN (SELECT a.content FROM apex a)
$$;

-- Makes the delegation to zone zid in its parent what zid's records say:
-- the parent is the account's nearest enclosing zone when zid exists and
-- has delegate set, else there is none (zid deleted, or unlinked), and
-- records kept for zid anywhere else are removed. Returns how many records
-- it wrote (0: nothing changed, no serial stepped). A credential limited
-- to some zones (dnsapi.token_zones, 0005) cannot change a zone outside
-- them this way either: when something would be written there, DA003
-- aborts the transaction. A CNAME in the parent where the delegation goes
-- (the child's name, a glue name) is DA004: the account resolves it.
CREATE FUNCTION dnsapi_delegation_sync(zid uuid) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
    child   zones%ROWTYPE;
    parent  zones%ROWTYPE;
    clash   text;
    touched uuid[];
    opened  uuid[];
    limited text := coalesce(current_setting('dnsapi.token_zones', true), '');
    changed integer := 0;
    n       integer;
BEGIN
    IF zid IS NULL THEN
        RETURN 0;
    END IF;
    SELECT * INTO child FROM zones WHERE id = zid;
    IF FOUND AND child.delegate THEN
        SELECT * INTO parent FROM zones p
         WHERE p.name = ANY (dnsapi_name_ancestors(child.name)) AND p.account_id = child.account_id
         ORDER BY length(p.name) DESC LIMIT 1
           FOR UPDATE;
    END IF;
    IF parent.id IS NULL AND NOT EXISTS (SELECT 1 FROM records r WHERE r.managed_by = zid) THEN
        RETURN 0;
    END IF;
    -- a CNAME where the delegation goes stays the account's to resolve:
    -- NS or glue beside it would break the parent (DA004)
    SELECT r.name INTO clash FROM records r
     WHERE r.zone_id = parent.id AND r.type = 'CNAME'
       AND r.name IN (SELECT w.w_name FROM dnsapi_delegation_wanted(zid) w)
     LIMIT 1;
    IF clash IS NOT NULL THEN
        RAISE EXCEPTION 'the zone % holds a CNAME at %, where the delegation to the linked child zone % goes',
                        parent.name, clash, child.name
            USING ERRCODE = 'DA004';
    END IF;
    -- a system write of every zone touched, for this transaction (0035)
    SELECT array_agg(DISTINCT t.zone_id) INTO touched
      FROM (SELECT r.zone_id FROM records r WHERE r.managed_by = zid
            UNION SELECT parent.id WHERE parent.id IS NOT NULL) t;
    WITH ins AS (INSERT INTO dnsapi_system_writes (zone_id) SELECT unnest(touched)
                 ON CONFLICT DO NOTHING RETURNING zone_id)
    SELECT array_agg(ins.zone_id) INTO opened FROM ins;

    DELETE FROM records r
     WHERE r.managed_by = zid
       AND (parent.id IS NULL OR r.zone_id <> parent.id
            OR NOT EXISTS (SELECT 1 FROM dnsapi_delegation_wanted(zid) w
                            WHERE w.w_name = r.name AND w.w_type = r.type
                              AND w.w_content = r.content));
    GET DIAGNOSTICS n = ROW_COUNT;
    changed := changed + n;
    IF parent.id IS NOT NULL THEN
        -- records written by hand where the delegation goes: an exact match
        -- is taken over, the rest go
        UPDATE records r
           SET system = true, managed_by = zid, ttl = w.w_ttl, disabled = false
          FROM dnsapi_delegation_wanted(zid) w
         WHERE r.zone_id = parent.id AND r.managed_by IS NULL AND r.name = w.w_name
           AND r.type = w.w_type AND r.content = w.w_content;
        GET DIAGNOSTICS n = ROW_COUNT;
        changed := changed + n;
        DELETE FROM records r
         WHERE r.zone_id = parent.id AND r.managed_by IS NULL
           AND ((r.type = 'NS' AND r.name = child.name)
                OR (r.type IN ('A', 'AAAA')
                    AND r.name IN (SELECT w.w_name FROM dnsapi_delegation_wanted(zid) w
                                    WHERE w.w_type <> 'NS')));
        GET DIAGNOSTICS n = ROW_COUNT;
        changed := changed + n;
        UPDATE records r SET ttl = w.w_ttl
          FROM dnsapi_delegation_wanted(zid) w
         WHERE r.zone_id = parent.id AND r.managed_by = zid AND r.name = w.w_name
           AND r.type = w.w_type AND r.content = w.w_content AND r.ttl <> w.w_ttl;
        GET DIAGNOSTICS n = ROW_COUNT;
        changed := changed + n;
        INSERT INTO records (zone_id, account_id, name, type, content, ttl, system, managed_by)
        SELECT parent.id, parent.account_id, w.w_name, w.w_type, w.w_content, w.w_ttl, true, zid
          FROM dnsapi_delegation_wanted(zid) w
         WHERE NOT EXISTS (SELECT 1 FROM records r
                            WHERE r.zone_id = parent.id AND r.name = w.w_name
                              AND r.type = w.w_type AND r.content = w.w_content);
        GET DIAGNOSTICS n = ROW_COUNT;
        changed := changed + n;
    END IF;
    DELETE FROM dnsapi_system_writes
     WHERE txid = pg_current_xact_id() AND zone_id = ANY (coalesce(opened, '{}'));
    IF changed > 0 AND limited <> '' AND EXISTS (
           SELECT 1 FROM zones z WHERE z.id = ANY (touched)
              AND NOT z.name = ANY (string_to_array(limited, ' '))) THEN
        RAISE EXCEPTION 'the delegation to the linked child zone % lies in a zone outside the zones this credential may write',
                        coalesce(child.name, zid::text)
            USING ERRCODE = 'DA003';
    END IF;
    RETURN changed;
END
$$;

-- Zones created or deleted in a transaction, for
-- dnsapi_delegation_sync_pending. Written by the trigger below (as the
-- owner), read and emptied by the owner only.
CREATE TABLE dnsapi_delegation_pending (
    txid        xid8 NOT NULL DEFAULT pg_current_xact_id(),
    zone_id     uuid NOT NULL,
    account_id  uuid NOT NULL,
    name        text COLLATE "C" NOT NULL,
    PRIMARY KEY (txid, zone_id)
);
REVOKE ALL ON dnsapi_delegation_pending FROM PUBLIC;

-- Statement-level, so that a bulk insert or delete of zones notes them in
-- one statement.
CREATE FUNCTION dnsapi_delegation_note() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
    IF TG_RELID <> 'zones'::regclass OR TG_LEVEL <> 'STATEMENT' THEN
        RAISE EXCEPTION 'dnsapi_delegation_note runs only as the triggers on zones';
    END IF;
    INSERT INTO dnsapi_delegation_pending (zone_id, account_id, name)
    SELECT z.id, z.account_id, z.name FROM noted_zones z ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;

CREATE TRIGGER zone_delegation_note_created AFTER INSERT ON zones
    REFERENCING NEW TABLE AS noted_zones
    FOR EACH STATEMENT EXECUTE FUNCTION dnsapi_delegation_note();
CREATE TRIGGER zone_delegation_note_deleted AFTER DELETE ON zones
    REFERENCING OLD TABLE AS noted_zones
    FOR EACH STATEMENT EXECUTE FUNCTION dnsapi_delegation_note();

-- Brings the delegations around the zones this transaction created or
-- deleted up to date: the zone's own (in its parent), and those of the
-- account's zones below it, whose nearest enclosing zone may now be
-- another (a zone created between a parent and its child takes the
-- child's delegation over; deleting it hands it back). Returns how many
-- records it wrote. Notes of transactions no longer running (zones
-- created or deleted without a sync, such as by an account's deletion)
-- are dropped on the way.
CREATE FUNCTION dnsapi_delegation_sync_pending() RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
    p       record;
    c       record;
    changed integer := 0;
BEGIN
    DELETE FROM dnsapi_delegation_pending
     WHERE txid <> pg_current_xact_id() AND pg_xact_status(txid) IS DISTINCT FROM 'in progress';
    FOR p IN DELETE FROM dnsapi_delegation_pending WHERE txid = pg_current_xact_id()
             RETURNING zone_id, account_id, name LOOP
        changed := changed + dnsapi_delegation_sync(p.zone_id);
        FOR c IN SELECT o.id FROM zones o
                  WHERE reverse(o.name) >= reverse(p.name) || '.'
                    AND reverse(o.name) < reverse(p.name) || '/'
                    AND o.account_id = p.account_id
                  ORDER BY length(o.name) LOOP
            changed := changed + dnsapi_delegation_sync(c.id);
        END LOOP;
    END LOOP;
    RETURN changed;
END
$$;

-- The audit trail shows managed_by with the rest of a record (0004's shape,
-- kept under its own name).
ALTER FUNCTION dnsapi_change_record(jsonb) RENAME TO dnsapi_change_record_0004;

CREATE FUNCTION dnsapi_change_record(j jsonb) RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN r IS NULL THEN NULL
                ELSE r || jsonb_build_object('managed_by', coalesce(j->'managed_by', 'null'::jsonb))
           END
      FROM dnsapi_change_record_0004(j) AS r
$$;

-- The serving role may set the flag when it creates a zone, and nothing
-- else new: managed_by and system stay outside its column grants. The
-- grants of 0035 are kept as they are and this file's added to them.
ALTER FUNCTION dnsapi_apply_grants(name) RENAME TO dnsapi_apply_grants_0035;

CREATE FUNCTION dnsapi_apply_grants(role_name name) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM dnsapi_apply_grants_0035(role_name);
    IF EXISTS (SELECT 1 FROM dnsapi_roles WHERE role = role_name AND kind = 'serve') THEN
        EXECUTE 'GRANT INSERT (delegate) ON zones TO ' || quote_ident(role_name);
    END IF;
END
$$;

REVOKE EXECUTE ON FUNCTION dnsapi_apply_grants(name), dnsapi_apply_grants_0035(name),
    dnsapi_delegation_note() FROM PUBLIC;

DO $$
DECLARE
    f text;
BEGIN
    FOREACH f IN ARRAY ARRAY['dnsapi_delegation_wanted(uuid)', 'dnsapi_delegation_sync(uuid)',
                             'dnsapi_delegation_note()', 'dnsapi_delegation_sync_pending()',
                             'dnsapi_apply_grants(name)'] LOOP
        EXECUTE format('ALTER FUNCTION %s SET search_path = %I, pg_temp', f, current_schema());
    END LOOP;
END
$$;

SELECT dnsapi_regrant();
