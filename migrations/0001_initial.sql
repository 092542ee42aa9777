-- dnsapi schema: accounts, tokens, zones, records, changes.
--
-- Every table carries account_id so that it can be distributed by account.
-- Names are stored lowercase and absolute (with the trailing dot); text
-- columns that lists sort by use the "C" collation so that order is byte
-- order, stable and index-friendly.

CREATE TABLE accounts (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name        text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9][a-z0-9_.-]{0,62}$'),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE tokens (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id  uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name        text NOT NULL DEFAULT '',
    scopes      text[] NOT NULL,
    zones       text[],               -- absolute zone names; NULL means every zone
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tokens_account_idx ON tokens (account_id, created_at, id);

CREATE TABLE zones (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id        uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name              text COLLATE "C" NOT NULL UNIQUE
                      CHECK (name ~ '^([a-z0-9_-]{1,63}\.)+$' AND length(name) <= 254),
    nameservers       text[] NOT NULL CHECK (cardinality(nameservers) > 0),
    hostmaster        text NOT NULL,
    -- RFC 1982 serial: an unsigned 32-bit number kept in a bigint so that it
    -- never overflows a signed column; it wraps modulo 2^32.
    serial            bigint NOT NULL CHECK (serial BETWEEN 0 AND 4294967295)
                      DEFAULT (to_char(now() AT TIME ZONE 'UTC', 'YYYYMMDD')::bigint * 100 + 1),
    serial_txid       xid8,           -- transaction that last raised serial
    exported_serial   bigint,         -- serial of the last master file written
    published_serial  bigint,         -- serial the name servers were last seen serving
    last_error        text,           -- why the zone generator could not publish, if it could not
    record_count      bigint NOT NULL DEFAULT 0,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX zones_account_idx ON zones (account_id, name);

-- The DNS canonical order of a name (RFC 4034 section 6.1) as a byte-ordered
-- string: labels from the root down, separated by a byte below every
-- character a label may hold. Sorting by it under the "C" collation sorts
-- names the way DNS does, so lists and master files come out in DNS order.
CREATE FUNCTION dnsapi_name_sort_key(name text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(string_agg(label, chr(1) ORDER BY i DESC), '')
      FROM unnest(string_to_array(rtrim(name, '.'), '.')) WITH ORDINALITY AS t(label, i)
$$;

CREATE TABLE records (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    zone_id     uuid NOT NULL REFERENCES zones (id) ON DELETE CASCADE,
    account_id  uuid NOT NULL,
    name        text COLLATE "C" NOT NULL,
    sort_key    text COLLATE "C" NOT NULL GENERATED ALWAYS AS (dnsapi_name_sort_key(name)) STORED,
    type        text COLLATE "C" NOT NULL CHECK (type ~ '^[A-Z0-9]+$'),
    content     text COLLATE "C" NOT NULL CHECK (content !~ '[\n\r]'),
    ttl         integer NOT NULL CHECK (ttl >= 0),
    priority    integer CHECK (priority BETWEEN 0 AND 65535),
    disabled    boolean NOT NULL DEFAULT false,
    system      boolean NOT NULL DEFAULT false,
    comment     text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
-- An exact duplicate (same name, type, priority and content) is refused.
CREATE UNIQUE INDEX records_identity_idx
    ON records (zone_id, name, type, content, (coalesce(priority, -1)));
-- Lists, name filters and keyset pages walk this index: DNS order of names,
-- then type, content and id.
CREATE INDEX records_order_idx ON records (zone_id, sort_key, type, content, id);

CREATE TABLE changes (
    id          bigserial PRIMARY KEY,
    zone_id     uuid NOT NULL REFERENCES zones (id) ON DELETE CASCADE,
    account_id  uuid NOT NULL,
    serial      bigint NOT NULL,
    token_id    uuid,
    action      text NOT NULL CHECK (action IN ('create', 'update', 'delete')),
    record_id   uuid NOT NULL,
    name        text NOT NULL,
    type        text NOT NULL,
    before      jsonb,
    after       jsonb,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX changes_zone_idx ON changes (zone_id, id);

-- A record is a system record when it is the SOA or part of the apex NS set.
CREATE FUNCTION dnsapi_is_system(r records) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT r.system OR r.type = 'SOA'
        OR (r.type = 'NS' AND r.name = (SELECT z.name FROM zones z WHERE z.id = r.zone_id))
$$;

-- Refuses any change to a system record unless it comes from dnsapi's own
-- triggers (zone creation, serial maintenance) or from the cascade of a zone
-- being deleted. Both of those run at a trigger depth above one; a plain
-- INSERT, UPDATE or DELETE, by the API or by hand, runs at depth one.
CREATE FUNCTION dnsapi_records_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF pg_trigger_depth() > 1 THEN
        RETURN COALESCE(NEW, OLD);
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') AND dnsapi_is_system(OLD) THEN
        RAISE EXCEPTION 'the % record % is a system record and cannot be changed', OLD.type, OLD.name
            USING ERRCODE = 'DA001',
                  HINT = 'The SOA and the apex NS set are managed by dnsapi; NS records for subdomains are allowed.';
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND dnsapi_is_system(NEW) THEN
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

CREATE TRIGGER records_guard BEFORE INSERT OR UPDATE OR DELETE ON records
    FOR EACH ROW EXECUTE FUNCTION dnsapi_records_guard();

-- Raises a zone's serial once per transaction that changes its records,
-- keeps the SOA's serial field in step, adjusts the record count and
-- notifies zone_changed (delivered on commit). Called once per zone per
-- statement, so a bulk statement touches the zone row once, not once per
-- row (per-row updates of one row in one transaction grow quadratically).
CREATE FUNCTION dnsapi_zone_touched(zid uuid, delta bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    new_serial bigint;
BEGIN
    UPDATE zones
       SET serial = (serial + 1) % 4294967296,
           serial_txid = pg_current_xact_id(),
           record_count = record_count + delta,
           updated_at = now()
     WHERE id = zid AND serial_txid IS DISTINCT FROM pg_current_xact_id()
    RETURNING serial INTO new_serial;
    IF FOUND THEN
        UPDATE records
           SET content = split_part(content, ' ', 1) || ' ' || split_part(content, ' ', 2) || ' '
                      || new_serial || ' ' || split_part(content, ' ', 4) || ' '
                      || split_part(content, ' ', 5) || ' ' || split_part(content, ' ', 6) || ' '
                      || split_part(content, ' ', 7),
               updated_at = now()
         WHERE zone_id = zid AND type = 'SOA'
           AND name = (SELECT z.name FROM zones z WHERE z.id = zid); -- the index, not a zone scan
        PERFORM pg_notify('zone_changed', zid::text);
    ELSIF delta <> 0 THEN
        UPDATE zones SET record_count = record_count + delta WHERE id = zid;
    END IF;
END
$$;

-- Statement-level: serial, count and the audit trail for every statement
-- that writes records. Changes made by dnsapi's own triggers (zone
-- creation, the SOA's serial field) run deeper and are left alone; rows of
-- a zone being deleted find no zone and are skipped.
CREATE FUNCTION dnsapi_records_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    z   record;
    tok uuid := NULLIF(current_setting('dnsapi.token_id', true), '')::uuid;
BEGIN
    IF pg_trigger_depth() > 1 THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        FOR z IN SELECT zone_id, count(*) AS n FROM new_rows GROUP BY zone_id LOOP
            PERFORM dnsapi_zone_touched(z.zone_id, z.n);
        END LOOP;
        INSERT INTO changes (zone_id, account_id, serial, token_id, action, record_id, name, type,
                             before, after)
        SELECT n.zone_id, n.account_id, zs.serial, tok, 'create', n.id, n.name, n.type, NULL,
               to_jsonb(n) - 'account_id' - 'zone_id' - 'sort_key'
          FROM new_rows n JOIN zones zs ON zs.id = n.zone_id;
    ELSIF TG_OP = 'DELETE' THEN
        FOR z IN SELECT zone_id, count(*) AS n FROM old_rows GROUP BY zone_id LOOP
            PERFORM dnsapi_zone_touched(z.zone_id, -z.n);
        END LOOP;
        INSERT INTO changes (zone_id, account_id, serial, token_id, action, record_id, name, type,
                             before, after)
        SELECT o.zone_id, o.account_id, zs.serial, tok, 'delete', o.id, o.name, o.type,
               to_jsonb(o) - 'account_id' - 'zone_id' - 'sort_key', NULL
          FROM old_rows o JOIN zones zs ON zs.id = o.zone_id;
    ELSE
        FOR z IN SELECT DISTINCT zone_id FROM new_rows LOOP
            PERFORM dnsapi_zone_touched(z.zone_id, 0);
        END LOOP;
        INSERT INTO changes (zone_id, account_id, serial, token_id, action, record_id, name, type,
                             before, after)
        SELECT n.zone_id, n.account_id, zs.serial, tok, 'update', n.id, n.name, n.type,
               to_jsonb(o) - 'account_id' - 'zone_id' - 'sort_key',
               to_jsonb(n) - 'account_id' - 'zone_id' - 'sort_key'
          FROM new_rows n JOIN old_rows o ON o.id = n.id JOIN zones zs ON zs.id = n.zone_id;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER records_inserted AFTER INSERT ON records
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dnsapi_records_changed();
CREATE TRIGGER records_updated AFTER UPDATE ON records
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dnsapi_records_changed();
CREATE TRIGGER records_deleted AFTER DELETE ON records
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dnsapi_records_changed();

-- A new zone gets its system records: the SOA (mname = first name server)
-- and the apex NS set, both marked system.
CREATE FUNCTION dnsapi_zone_created() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO records (zone_id, account_id, name, type, content, ttl, system)
    VALUES (NEW.id, NEW.account_id, NEW.name, 'SOA',
            NEW.nameservers[1] || ' ' || NEW.hostmaster || ' ' || NEW.serial
                || ' 10800 3600 1209600 3600',
            3600, true);
    INSERT INTO records (zone_id, account_id, name, type, content, ttl, system)
    SELECT NEW.id, NEW.account_id, NEW.name, 'NS', ns, 86400, true
      FROM unnest(NEW.nameservers) AS ns;
    UPDATE zones SET record_count = 1 + cardinality(NEW.nameservers), serial_txid = pg_current_xact_id()
     WHERE id = NEW.id;
    PERFORM pg_notify('zone_changed', NEW.id::text);
    RETURN NULL;
END
$$;

CREATE TRIGGER zone_created AFTER INSERT ON zones
    FOR EACH ROW EXECUTE FUNCTION dnsapi_zone_created();

CREATE FUNCTION dnsapi_zone_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('zone_changed', OLD.id::text);
    RETURN NULL;
END
$$;

CREATE TRIGGER zone_deleted AFTER DELETE ON zones
    FOR EACH ROW EXECUTE FUNCTION dnsapi_zone_deleted();

-- Idempotency keys: a POST retried with the same key and body replays the
-- first answer.
CREATE TABLE idempotency_keys (
    account_id    uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    key           text NOT NULL,
    request_hash  text NOT NULL,
    status        integer NOT NULL,
    body          text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, key)
);

-- Checks, inside the transaction of an API operation, that the bearer token
-- still stands: not revoked, not expired. Raises DA002 otherwise, which
-- aborts everything pipelined after it; revocation therefore takes effect on
-- the very next request.
CREATE FUNCTION dnsapi_token_check(token uuid) RETURNS void
LANGUAGE plpgsql STABLE AS $$
BEGIN
    PERFORM 1 FROM tokens t
      WHERE t.id = token AND t.revoked_at IS NULL AND t.expires_at > now();
    IF NOT FOUND THEN
        RAISE EXCEPTION 'token revoked or expired' USING ERRCODE = 'DA002';
    END IF;
    PERFORM set_config('dnsapi.token_id', token::text, true);
END
$$;

-- The id of an account's zone given its name (absolute, lowercase) or its
-- id; NULL when the account has no such zone. Lets one prepared statement
-- serve both forms of {zone} in the API's paths.
CREATE FUNCTION dnsapi_zone_id(account uuid, zone_key text) RETURNS uuid
LANGUAGE plpgsql STABLE AS $$
DECLARE
    zid uuid;
BEGIN
    IF zone_key ~ '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' THEN
        SELECT id INTO zid FROM zones WHERE id = zone_key::uuid AND account_id = account;
    ELSE
        SELECT id INTO zid FROM zones WHERE name = zone_key AND account_id = account;
    END IF;
    RETURN zid;
END
$$;
