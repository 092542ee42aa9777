-- Name servers, plural: publication per server, zone status, the tree rule
-- by index, and what the zone generator needs to stay flat in the number of
-- zones.
--
-- The HTTP API reads what this file defines through three functions, so that
-- a zone's answer is still one statement:
--   dnsapi_zone_servers(zone_id)          jsonb: [{name, address, serial, in_sync,
--                                          checked_at, error}], every server zonegen checks
--   dnsapi_zone_status(zone_id)           'pending' | 'published' | 'failing'
--   dnsapi_zone_published_serial(zone_id) the serial every server serves (NULL: not yet)
-- and zone creation asks dnsapi_zone_tree_conflict(account, name).

-- ---- publication per server ----------------------------------------------

-- What each name server zonegen checks (DNSAPI_VERIFY: the primary side;
-- DNSAPI_SECONDARIES) was last seen serving for a zone. Written by zonegen
-- only, one row per zone and server; a server taken out of the
-- configuration loses its rows the next time the zone is checked.
CREATE TABLE zone_servers (
    zone_id     uuid NOT NULL REFERENCES zones (id) ON DELETE CASCADE,
    account_id  uuid NOT NULL,
    name        text COLLATE "C" NOT NULL,   -- the server's name (secondaries) or address
    address     text NOT NULL,               -- addr:port zonegen asks
    role        text NOT NULL CHECK (role IN ('primary', 'secondary')),
    serial      bigint CHECK (serial BETWEEN 0 AND 4294967295), -- last serial seen; NULL: none yet
    in_sync     boolean NOT NULL DEFAULT false, -- serves the serial zonegen last published
    checked_at  timestamptz,
    error       text,                        -- the last check's problem, in words to act on
    failures    integer NOT NULL DEFAULT 0,  -- failed checks in a row; 0 after a good one
    PRIMARY KEY (zone_id, name)
);

-- Zone-level steps (render, include, reload) that failed in a row; 0 after
-- a publication. zones.last_error keeps the words.
ALTER TABLE zones ADD COLUMN publish_failures integer NOT NULL DEFAULT 0;

-- A server, or the zone's own steps, "keeps failing" after this many failed
-- attempts in a row; zonegen retries with backoff (1 s, 2 s, 4 s, ...), so
-- that is a few seconds of trying, not one lost packet.
CREATE FUNCTION dnsapi_failing_after() RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT 3 $$;

CREATE FUNCTION dnsapi_zone_servers(zid uuid) RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(jsonb_agg(jsonb_build_object(
               'name', s.name, 'address', s.address, 'serial', s.serial, 'in_sync', s.in_sync,
               'checked_at', to_char(s.checked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
               'error', s.error)
             ORDER BY s.role, s.name), '[]'::jsonb)
      FROM zone_servers s WHERE s.zone_id = zid
$$;

-- failing: the zone's own steps or one of its servers keep failing;
-- published: every server serves the zone's serial; pending otherwise.
CREATE FUNCTION dnsapi_zone_status(zid uuid) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN z.publish_failures >= dnsapi_failing_after()
          OR EXISTS (SELECT 1 FROM zone_servers s
                      WHERE s.zone_id = z.id AND s.failures >= dnsapi_failing_after())
          THEN 'failing'
        WHEN z.published_serial = z.serial THEN 'published'
        ELSE 'pending' END
      FROM zones z WHERE z.id = zid
$$;

-- zonegen stores the serial every server serves in zones.published_serial
-- (the oldest in RFC 1982 order when they differ); this names it for
-- readers that want the three together.
CREATE FUNCTION dnsapi_zone_published_serial(zid uuid) RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT z.published_serial FROM zones z WHERE z.id = zid
$$;

-- ---- the tree rule by index ----------------------------------------------

-- The proper ancestors of a name: 'a.b.c.' gives {'b.c.', 'c.'}.
CREATE FUNCTION dnsapi_name_ancestors(name text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(array_to_string(l[i:], '.') || '.' ORDER BY i), '{}')
      FROM (SELECT string_to_array(rtrim(name, '.'), '.') AS l) s,
           generate_series(2, cardinality(s.l)) AS i
$$;

-- Names below a zone share a prefix once reversed: reverse('www.example.com.')
-- starts with reverse('example.com.') || '.'. With the "C" collation of
-- zones.name that prefix is a range of this index.
CREATE INDEX zones_name_reversed_idx ON zones (reverse(name));

-- True when name (absolute, lowercase) lies inside or above a zone of
-- another account: on shared name servers it would take over that zone's
-- names. Two index probes (the ancestors by the unique name index, the
-- descendants by a range of zones_name_reversed_idx): the cost does not
-- grow with the number of zones.
CREATE FUNCTION dnsapi_zone_tree_conflict(account uuid, name text) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    -- $1 and $2, not the names: a column called name would win over them.
    SELECT EXISTS (SELECT 1 FROM zones o
                    WHERE o.name = ANY (dnsapi_name_ancestors($2)) AND o.account_id <> $1)
        OR EXISTS (SELECT 1 FROM zones o
                    WHERE reverse(o.name) >= reverse($2) || '.'
                      AND reverse(o.name) < reverse($2) || '/'
                      AND o.account_id <> $1)
$$;

-- ---- the zone generator, flat in the number of zones ---------------------

-- Dirty zones (the zone generator's work list) by index instead of a scan
-- of every zone.
CREATE INDEX zones_dirty_idx ON zones (updated_at, id)
    WHERE exported_serial IS DISTINCT FROM serial OR published_serial IS DISTINCT FROM serial;

-- Deleted zones, so that zonegen learns of a deletion without comparing
-- every zone name it knows with the database. zonegen reads the rows after
-- the last id it has seen and removes rows older than a day.
CREATE TABLE zone_tombstones (
    id          bigserial PRIMARY KEY,
    zone_id     uuid NOT NULL,
    name        text COLLATE "C" NOT NULL,
    deleted_at  timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION dnsapi_zone_tombstone() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO zone_tombstones (zone_id, name) VALUES (OLD.id, OLD.name);
    RETURN NULL;
END
$$;

CREATE TRIGGER zone_tombstone AFTER DELETE ON zones
    FOR EACH ROW EXECUTE FUNCTION dnsapi_zone_tombstone();

-- Stores one round of checks. Per checked (zone, server): the serial seen
-- (NULL: no answer), whether it is the serial zonegen published, and the
-- error. Per zone (zone_ids, published, errors): the serial every server now
-- serves (NULL: not every server answered; published_serial is left as it
-- was) and the zone's last_error (NULL clears it). Rows of servers no
-- longer checked are removed. Returns, for each zone now published at its
-- current serial, how long ago its last change was made (seconds).
CREATE FUNCTION dnsapi_zonegen_checks_store(
    c_zone uuid[], c_name text[], c_address text[], c_role text[], c_serial bigint[],
    c_in_sync boolean[], c_error text[], zone_ids uuid[], published bigint[], errors text[])
RETURNS TABLE (published_zone uuid, change_age double precision)
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM zone_servers s
     WHERE s.zone_id = ANY (zone_ids)
       AND NOT EXISTS (SELECT 1 FROM unnest(c_zone, c_name) AS c(zid, sname)
                        WHERE c.zid = s.zone_id AND c.sname = s.name);
    INSERT INTO zone_servers AS s (zone_id, account_id, name, address, role, serial, in_sync,
                                   checked_at, error, failures)
    SELECT c.zid, z.account_id, c.sname, c.address, c.role, c.serial, c.in_sync, now(),
           c.error, CASE WHEN c.in_sync THEN 0 ELSE 1 END
      FROM unnest(c_zone, c_name, c_address, c_role, c_serial, c_in_sync, c_error)
           AS c(zid, sname, address, role, serial, in_sync, error)
      JOIN zones z ON z.id = c.zid
    ON CONFLICT ON CONSTRAINT zone_servers_pkey DO UPDATE
       SET address = EXCLUDED.address, role = EXCLUDED.role,
           serial = coalesce(EXCLUDED.serial, s.serial), in_sync = EXCLUDED.in_sync,
           checked_at = EXCLUDED.checked_at, error = EXCLUDED.error,
           failures = CASE WHEN EXCLUDED.in_sync THEN 0 ELSE s.failures + 1 END;
    RETURN QUERY
    WITH u AS (
        UPDATE zones z
           SET published_serial = coalesce(p.serial, z.published_serial),
               last_error = p.error, publish_failures = 0
          FROM unnest(zone_ids, published, errors) AS p(id, serial, error)
         WHERE z.id = p.id
        RETURNING z.id, z.published_serial = z.serial AS done, z.updated_at)
    SELECT u.id, extract(epoch FROM clock_timestamp() - u.updated_at)::float8
      FROM u WHERE u.done;
END
$$;
