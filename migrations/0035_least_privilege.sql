-- Least privilege: the roles that run `dnsapi serve` and `dnsapi zonegen`
-- hold only the rights they use, and system records are guarded by who is
-- writing, not by how deep in triggers the write happens.
--
-- The owner role is whoever runs `dnsapi migrate` (and so owns every table
-- and function here). The serving roles are granted by `dnsapi db grant
-- --serve ROLE --zonegen ROLE`, which calls dnsapi_grant_role below: no
-- ownership, no TRIGGER, TRUNCATE or REFERENCES, no TEMP, no CREATE on the
-- schema, and column lists for INSERT and UPDATE, so that the serving role
-- cannot set `system`, move a record to another zone or rename it.
--
-- The guard used to let through anything at a trigger depth above one, on
-- the grounds that only dnsapi's own triggers write from there. A role with
-- TEMP and DML rights on records could create a trigger on a temporary
-- table of its own that deletes an SOA, and that ran at depth two. Now a
-- system record changes only when
--  - the current user is the owner of records and the transaction has
--    opened a system write for that zone (dnsapi_system_writes, which only
--    the owner can write: dnsapi_zone_created does it), or
--  - it is deleted by the owner of records after its zone is gone: the
--    ON DELETE CASCADE of a zone's deletion runs as the owner of the
--    referencing table (PostgreSQL runs referential actions as the table
--    owner), and the zone's row is no longer visible to it.
-- A superuser or the owner writing a system record by hand is refused too.
--
-- Functions that run as the owner (SECURITY DEFINER) pin search_path to
-- this schema with pg_temp last, so that no temporary table can stand in
-- for one of ours. The audit trigger (dnsapi_records_changed) and the
-- tombstone of a deleted zone (dnsapi_zone_tombstone, 0015) become two of
-- them; the guard and zone creation are replaced.
--
-- This file comes after every migration it builds on (the latest bodies of
-- what it replaces: the guard of 0002, zone creation of 0001) and grants the
-- roles what 0015 (zone servers, tombstones), 0020-0022 (TSIG keys, policies,
-- the key in the audit trail) added. A database migrated to any earlier
-- file gets it with the next `dnsapi migrate`; it is written to apply over
-- a database that had it under its earlier name too (0010), and then grants
-- the roles recorded there again.

-- System writes in progress: (transaction, zone). Written only by owner
-- functions, read through dnsapi_system_write_open.
CREATE TABLE IF NOT EXISTS dnsapi_system_writes (
    txid     xid8 NOT NULL DEFAULT pg_current_xact_id(),
    zone_id  uuid NOT NULL,
    PRIMARY KEY (txid, zone_id)
);
REVOKE ALL ON dnsapi_system_writes FROM PUBLIC;

-- True when this transaction holds an open system write for zone (for any
-- zone when zone is NULL).
CREATE OR REPLACE FUNCTION dnsapi_system_write_open(zone uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER AS $$
    SELECT EXISTS (SELECT 1 FROM dnsapi_system_writes w
                    WHERE w.txid = pg_current_xact_id_if_assigned()
                      AND (zone IS NULL OR w.zone_id = zone))
$$;

-- Whether the current user may change a system record of zone in table rel
-- (the guard's TG_RELID): see the header. Runs as the caller, on purpose:
-- current_user is what it checks.
CREATE OR REPLACE FUNCTION dnsapi_system_write_allowed(rel oid, zone uuid, deleting boolean)
RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT current_user = (SELECT o.rolname FROM pg_catalog.pg_class c
                             JOIN pg_catalog.pg_roles o ON o.oid = c.relowner
                            WHERE c.oid = rel)
       AND (dnsapi_system_write_open(zone)
            OR (deleting AND NOT EXISTS (SELECT 1 FROM zones z WHERE z.id = zone)))
$$;

-- A name-server change (0030: PUT /v1/zones/{zone}/nameservers, `dnsapi
-- zone set-nameservers`) opens the apex NS set of one zone for one
-- transaction. 0030 marked that with a setting any role can set; here the
-- mark is a row only owner functions write (dnsapi_apex_ns_begin, which
-- the serving role calls, as the API's write path does), so a plain write
-- cannot claim to be one.
CREATE TABLE IF NOT EXISTS dnsapi_apex_ns_writes (
    txid     xid8 NOT NULL DEFAULT pg_current_xact_id(),
    zone_id  uuid NOT NULL,
    PRIMARY KEY (txid, zone_id)
);
REVOKE ALL ON dnsapi_apex_ns_writes FROM PUBLIC;

CREATE OR REPLACE FUNCTION dnsapi_apex_ns_open(zone uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER AS $$
    SELECT EXISTS (SELECT 1 FROM dnsapi_apex_ns_writes w
                    WHERE w.txid = pg_current_xact_id_if_assigned() AND w.zone_id = zone)
$$;

CREATE OR REPLACE FUNCTION dnsapi_records_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF COALESCE(NEW.type, OLD.type) IN ('SOA', 'NS')
       AND dnsapi_apex_ns_open(COALESCE(NEW.zone_id, OLD.zone_id)) THEN
        -- a name-server change of this zone: its apex NS rows may go and
        -- come (marked system), and the SOA's MNAME follow the first name
        IF TG_OP IN ('INSERT', 'DELETE') AND COALESCE(NEW.type, OLD.type) = 'NS'
           AND COALESCE(NEW.name, OLD.name) = (SELECT z.name FROM zones z
                                                 WHERE z.id = COALESCE(NEW.zone_id, OLD.zone_id)) THEN
            IF TG_OP = 'INSERT' THEN
                NEW.system := true;
            END IF;
            RETURN COALESCE(NEW, OLD);
        END IF;
        IF TG_OP = 'UPDATE' AND OLD.type = 'SOA' AND NEW.type = 'SOA' AND NEW.name = OLD.name
           AND NEW.zone_id = OLD.zone_id
           AND substr(NEW.content, strpos(NEW.content, ' ')) = substr(OLD.content, strpos(OLD.content, ' '))
           AND NEW.ttl = OLD.ttl AND NEW.disabled = OLD.disabled THEN
            NEW.updated_at := now();
            RETURN NEW;
        END IF;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') AND (OLD.system OR OLD.type IN ('SOA', 'NS'))
       AND dnsapi_is_system(OLD)
       AND NOT dnsapi_system_write_allowed(TG_RELID, OLD.zone_id, TG_OP = 'DELETE') THEN
        RAISE EXCEPTION 'the % record % is a system record and cannot be changed', OLD.type, OLD.name
            USING ERRCODE = 'DA001',
                  HINT = 'The SOA and the apex NS set are managed by dnsapi; NS records for subdomains are allowed.';
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND (NEW.system OR NEW.type IN ('SOA', 'NS'))
       AND dnsapi_is_system(NEW)
       AND NOT dnsapi_system_write_allowed(TG_RELID, NEW.zone_id, false) THEN
        RAISE EXCEPTION 'a % record at % would be a system record', NEW.type, NEW.name
            USING ERRCODE = 'DA001',
                  HINT = 'The SOA and the apex NS set are managed by dnsapi; NS records for subdomains are allowed.';
    END IF;
    IF TG_OP = 'UPDATE' THEN
        NEW.updated_at := now();
    END IF;
    RETURN COALESCE(NEW, OLD);
END
$$;

-- 0030's pair, as the owner: the mark above instead of a setting.
CREATE OR REPLACE FUNCTION dnsapi_apex_ns_begin(zid uuid, names text[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
    IF zid IS NULL OR cardinality(names) IS NULL OR cardinality(names) < 1 THEN
        RAISE EXCEPTION 'a name-server change needs a zone and its names';
    END IF;
    INSERT INTO dnsapi_apex_ns_writes (zone_id) VALUES (zid) ON CONFLICT DO NOTHING;
    UPDATE zones SET nameservers = names WHERE id = zid;
    UPDATE records r
       SET content = names[1] || substr(r.content, strpos(r.content, ' '))
     WHERE r.zone_id = zid AND r.type = 'SOA'
       AND r.name = (SELECT z.name FROM zones z WHERE z.id = zid)
       AND split_part(r.content, ' ', 1) <> names[1];
END
$$;

CREATE OR REPLACE FUNCTION dnsapi_apex_ns_end() RETURNS void
LANGUAGE sql SECURITY DEFINER AS $$
    DELETE FROM dnsapi_apex_ns_writes WHERE txid = pg_current_xact_id_if_assigned();
$$;

-- A new zone gets its system records, written as the owner inside an open
-- system write. Only a trigger on zones may run it.
CREATE OR REPLACE FUNCTION dnsapi_zone_created() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
    IF TG_RELID <> 'zones'::regclass OR TG_OP <> 'INSERT' OR TG_LEVEL <> 'ROW' THEN
        RAISE EXCEPTION 'dnsapi_zone_created runs only as the trigger on zones';
    END IF;
    INSERT INTO dnsapi_system_writes (zone_id) VALUES (NEW.id);
    INSERT INTO records (zone_id, account_id, name, type, content, ttl, system)
    VALUES (NEW.id, NEW.account_id, NEW.name, 'SOA',
            NEW.nameservers[1] || ' ' || NEW.hostmaster || ' ' || NEW.serial
                || ' 10800 3600 1209600 3600',
            3600, true);
    INSERT INTO records (zone_id, account_id, name, type, content, ttl, system)
    SELECT NEW.id, NEW.account_id, NEW.name, 'NS', ns, 86400, true
      FROM unnest(NEW.nameservers) AS ns;
    DELETE FROM dnsapi_system_writes WHERE txid = pg_current_xact_id() AND zone_id = NEW.id;
    UPDATE zones SET record_count = 1 + cardinality(NEW.nameservers), serial_txid = pg_current_xact_id()
     WHERE id = NEW.id;
    PERFORM pg_notify('zone_changed', NEW.id::text);
    RETURN NULL;
END
$$;

-- Serial, count and audit trail are written as the owner: the serving role
-- needs no rights on changes beyond reading it, nor on the serial columns
-- of zones. The function itself is unchanged; its skip of writes at a
-- trigger depth above one (the system records of zone creation, the rows of
-- a zone being deleted) only concerns the audit trail, and no serving role
-- can create a trigger to write from there. The row trigger of 0022 that
-- names the TSIG key of a change (dnsapi_changes_credential, from the
-- transaction's dnsapi.tsig_key_id) runs inside it, as the owner too.
ALTER FUNCTION dnsapi_records_changed() SECURITY DEFINER;

-- A deleted zone's tombstone (0015) is written as the owner: the serving
-- role deletes zones but cannot make up tombstones for zones that exist, and
-- needs no rights on zone_tombstones or its sequence.
ALTER FUNCTION dnsapi_zone_tombstone() SECURITY DEFINER;

-- The roles granted by dnsapi_grant_role, so that a later migration can
-- grant them what it adds: CREATE OR REPLACE FUNCTION dnsapi_apply_grants
-- with the new rights, then SELECT dnsapi_regrant().
CREATE TABLE IF NOT EXISTS dnsapi_roles (
    role        name NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('serve', 'zonegen')),
    granted_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (role, kind)
);
REVOKE ALL ON dnsapi_roles FROM PUBLIC;

-- Gives role exactly the rights of its recorded kinds, after taking away
-- whatever it held on this schema's tables and sequences.
CREATE OR REPLACE FUNCTION dnsapi_apply_grants(role_name name) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    s name := current_schema();
    r text := quote_ident(role_name);
BEGIN
    EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM %s', s, r);
    EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA %I FROM %s', s, r);
    EXECUTE format('REVOKE CREATE ON SCHEMA %I FROM %s', s, r);
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO %s', s, r);
    IF EXISTS (SELECT 1 FROM dnsapi_roles WHERE role = role_name AND kind = 'serve') THEN
        EXECUTE 'GRANT SELECT ON schema_migrations, changes TO ' || r;
        EXECUTE 'GRANT SELECT, DELETE ON zones, records, idempotency_keys TO ' || r;
        EXECUTE 'GRANT SELECT ON tokens, tsig_keys TO ' || r;
        EXECUTE 'GRANT SELECT ON zone_publication, zone_servers TO ' || r;
        EXECUTE 'GRANT INSERT (account_id, name, nameservers, hostmaster) ON zones TO ' || r;
        -- SELECT ... FOR UPDATE (the zone lock) needs UPDATE on some column
        EXECUTE 'GRANT UPDATE (updated_at) ON zones TO ' || r;
        EXECUTE 'GRANT INSERT (zone_id, account_id, name, type, content, ttl, priority, disabled,'
             || ' comment) ON records TO ' || r;
        EXECUTE 'GRANT UPDATE (content, ttl, priority, disabled, comment) ON records TO ' || r;
        EXECUTE 'GRANT INSERT (account_id, name, scopes, zones, expires_at, policies) ON tokens TO '
             || r;
        EXECUTE 'GRANT UPDATE (revoked_at) ON tokens TO ' || r;
        EXECUTE 'GRANT INSERT (account_id, name, algorithm, secret_sealed, scopes, zones, policies,'
             || ' expires_at) ON tsig_keys TO ' || r;
        EXECUTE 'GRANT UPDATE (revoked_at) ON tsig_keys TO ' || r;
        EXECUTE 'GRANT INSERT (account_id, key, request_hash, status, body) ON idempotency_keys TO '
             || r;
        -- (a claim may take over an expired key: INSERT ... ON CONFLICT DO UPDATE)
        EXECUTE 'GRANT UPDATE (request_hash, status, body, created_at) ON idempotency_keys TO '
             || r;
    END IF;
    IF EXISTS (SELECT 1 FROM dnsapi_roles WHERE role = role_name AND kind = 'zonegen') THEN
        EXECUTE 'GRANT SELECT ON zones, records, zone_servers, zone_tombstones TO ' || r;
        EXECUTE 'GRANT UPDATE (exported_serial, published_serial, last_error, publish_failures)'
             || ' ON zones TO ' || r;
        -- a round of checks (dnsapi_zonegen_checks_store, run as zonegen)
        EXECUTE 'GRANT INSERT (zone_id, account_id, name, address, role, serial, in_sync,'
             || ' checked_at, error, failures), DELETE ON zone_servers TO ' || r;
        EXECUTE 'GRANT UPDATE (address, role, serial, in_sync, checked_at, error, failures)'
             || ' ON zone_servers TO ' || r;
        -- tombstones older than a day are removed
        EXECUTE 'GRANT DELETE ON zone_tombstones TO ' || r;
    END IF;
END
$$;

-- Records role_name as a serving role of kind ('serve' or 'zonegen') and
-- grants it. Refuses roles that could get around grants: superusers, roles
-- that create roles or bypass row security, the owner and its members, owners
-- of the database or schema; and refuses to finish while the role could still
-- create temporary tables or objects in the schema (PUBLIC's TEMP and CREATE
-- are revoked on the way, which takes the database and schema owner).
CREATE OR REPLACE FUNCTION dnsapi_grant_role(role_name name, role_kind text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    s      name := current_schema();
    db     name := current_database();
    owner  name := (SELECT o.rolname FROM pg_catalog.pg_class c
                      JOIN pg_catalog.pg_roles o ON o.oid = c.relowner
                     WHERE c.oid = 'records'::regclass);
    rrow   pg_catalog.pg_roles%ROWTYPE;
BEGIN
    IF role_kind IS NULL OR role_kind NOT IN ('serve', 'zonegen') THEN
        RAISE EXCEPTION 'unknown kind of role "%": serve or zonegen', role_kind;
    END IF;
    SELECT * INTO rrow FROM pg_catalog.pg_roles WHERE rolname = role_name;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'role "%" does not exist', role_name
            USING HINT = format('Create it first, e.g. CREATE ROLE %I LOGIN PASSWORD ''...''', role_name);
    END IF;
    IF rrow.rolsuper OR rrow.rolcreaterole OR rrow.rolbypassrls THEN
        RAISE EXCEPTION 'role "%" is a superuser or may create roles or bypass row security: a serving role must not', role_name;
    END IF;
    IF pg_has_role(role_name, owner, 'MEMBER') THEN
        RAISE EXCEPTION 'role "%" is the owner role "%" or a member of it: a serving role must not own the schema', role_name, owner
            USING HINT = 'Migrate as the owner role and serve as another role.';
    END IF;
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_database d WHERE d.datname = db AND d.datdba = rrow.oid)
       OR EXISTS (SELECT 1 FROM pg_catalog.pg_namespace n WHERE n.nspname = s AND n.nspowner = rrow.oid)
       OR EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.relnamespace = s::regnamespace
                     AND c.relowner = rrow.oid) THEN
        RAISE EXCEPTION 'role "%" owns the database, the schema % or objects in it: a serving role must own nothing', role_name, s;
    END IF;
    EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC, %I', db, role_name);
    EXECUTE format('REVOKE CREATE ON SCHEMA %I FROM PUBLIC', s);
    INSERT INTO dnsapi_roles (role, kind) VALUES (role_name, role_kind)
        ON CONFLICT ON CONSTRAINT dnsapi_roles_pkey DO UPDATE SET granted_at = now();
    PERFORM dnsapi_apply_grants(role_name);
    IF has_database_privilege(role_name, db, 'TEMPORARY') THEN
        RAISE EXCEPTION 'role "%" can still create temporary tables in database %', role_name, db
            USING HINT = format('As the database owner or a superuser: REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC, and from any role "%s" is a member of.', db, role_name);
    END IF;
    IF has_schema_privilege(role_name, s, 'CREATE') THEN
        RAISE EXCEPTION 'role "%" can still create objects in schema %', role_name, s
            USING HINT = format('As the schema owner or a superuser: REVOKE CREATE ON SCHEMA %I FROM PUBLIC, and from any role "%s" is a member of.', s, role_name);
    END IF;
END
$$;

-- Grants every recorded role again; a migration that adds rights calls it.
CREATE OR REPLACE FUNCTION dnsapi_regrant() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    r name;
BEGIN
    FOR r IN SELECT DISTINCT role FROM dnsapi_roles
              WHERE EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = role) LOOP
        PERFORM dnsapi_apply_grants(r);
    END LOOP;
END
$$;

-- Only the owner runs what writes as the owner or hands out rights.
REVOKE EXECUTE ON FUNCTION dnsapi_zone_created(), dnsapi_records_changed(),
    dnsapi_zone_tombstone(), dnsapi_zone_touched(uuid, bigint), dnsapi_apply_grants(name),
    dnsapi_grant_role(name, text), dnsapi_regrant() FROM PUBLIC;

-- search_path pinned to this schema, pg_temp last.
DO $$
DECLARE
    f text;
BEGIN
    FOREACH f IN ARRAY ARRAY['dnsapi_system_write_open(uuid)', 'dnsapi_apex_ns_open(uuid)',
                             'dnsapi_apex_ns_begin(uuid, text[])', 'dnsapi_apex_ns_end()',
                             'dnsapi_system_write_allowed(oid, uuid, boolean)',
                             'dnsapi_is_system(records)', 'dnsapi_zone_created()',
                             'dnsapi_records_changed()', 'dnsapi_zone_tombstone()',
                             'dnsapi_zone_touched(uuid, bigint)',
                             'dnsapi_apply_grants(name)', 'dnsapi_grant_role(name, text)',
                             'dnsapi_regrant()'] LOOP
        EXECUTE format('ALTER FUNCTION %s SET search_path = %I, pg_temp', f, current_schema());
    END LOOP;
END
$$;

-- Roles recorded before this file (under its earlier name) get what it
-- grants now; on a new database there are none.
SELECT dnsapi_regrant();
