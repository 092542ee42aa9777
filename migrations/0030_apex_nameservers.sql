-- Changing a zone's name servers (PUT /v1/zones/{zone}/nameservers, `dnsapi
-- zone set-nameservers`), and a zone's publication as a view (the words of
-- a failing zone with it).
--
-- The apex NS set and the SOA stay refused to every plain write (the guard
-- of migrations/0002). A name-server change opens its write with
-- dnsapi_apex_ns_begin(zone, names): for the rest of that transaction, and
-- for that zone only, the guard lets apex NS rows be deleted and inserted
-- (inserted ones are marked system) and the SOA's MNAME follow the first
-- name; nothing else about the SOA may change. dnsapi_apex_ns_end closes
-- it again. The records written still go through the statement triggers:
-- one serial step for the transaction, an audit entry per record.

CREATE OR REPLACE FUNCTION dnsapi_records_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    open_zone text;
BEGIN
    IF pg_trigger_depth() > 1 THEN
        RETURN COALESCE(NEW, OLD);
    END IF;
    IF (COALESCE(NEW.type, OLD.type) IN ('SOA', 'NS')) THEN
        open_zone := coalesce(current_setting('dnsapi.apex_ns_zone', true), '');
    END IF;
    IF open_zone IS NOT NULL AND open_zone <> ''
       AND open_zone = COALESCE(NEW.zone_id, OLD.zone_id)::text THEN
        -- a name-server change of this zone
        IF TG_OP IN ('INSERT', 'DELETE') AND COALESCE(NEW.type, OLD.type) = 'NS'
           AND COALESCE(NEW.name, OLD.name) = (SELECT z.name FROM zones z
                                                 WHERE z.id = COALESCE(NEW.zone_id, OLD.zone_id)) THEN
            IF TG_OP = 'INSERT' THEN
                NEW.system := true;
            END IF;
            RETURN COALESCE(NEW, OLD);
        END IF;
        IF TG_OP = 'UPDATE' AND OLD.type = 'SOA' AND NEW.type = 'SOA' AND NEW.name = OLD.name
           AND substr(NEW.content, strpos(NEW.content, ' ')) = substr(OLD.content, strpos(OLD.content, ' '))
           AND NEW.ttl = OLD.ttl AND NEW.disabled = OLD.disabled THEN
            NEW.updated_at := now();
            RETURN NEW;
        END IF;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') AND (OLD.system OR OLD.type IN ('SOA', 'NS'))
       AND dnsapi_is_system(OLD) THEN
        RAISE EXCEPTION 'the % record % is a system record and cannot be changed', OLD.type, OLD.name
            USING ERRCODE = 'DA001',
                  HINT = 'The SOA and the apex NS set are managed by dnsapi; NS records for subdomains are allowed.';
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND (NEW.system OR NEW.type IN ('SOA', 'NS'))
       AND dnsapi_is_system(NEW) THEN
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

-- Opens a name-server change of zone zid: names (absolute, in order) become
-- the zone's name servers (zones.nameservers, what new readers show) and
-- the first of them the SOA's MNAME. The caller then deletes and inserts
-- the apex NS records in the same transaction and calls dnsapi_apex_ns_end.
CREATE FUNCTION dnsapi_apex_ns_begin(zid uuid, names text[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF zid IS NULL OR cardinality(names) IS NULL OR cardinality(names) < 1 THEN
        RAISE EXCEPTION 'a name-server change needs a zone and its names';
    END IF;
    PERFORM set_config('dnsapi.apex_ns_zone', zid::text, true);
    UPDATE zones SET nameservers = names WHERE id = zid;
    UPDATE records r
       SET content = names[1] || substr(r.content, strpos(r.content, ' '))
     WHERE r.zone_id = zid AND r.type = 'SOA'
       AND r.name = (SELECT z.name FROM zones z WHERE z.id = zid)
       AND split_part(r.content, ' ', 1) <> names[1];
END
$$;

CREATE FUNCTION dnsapi_apex_ns_end() RETURNS void
LANGUAGE sql AS $$
    SELECT set_config('dnsapi.apex_ns_zone', '', true);
$$;

-- ---- publication, set-based ----------------------------------------------

-- A zone's publication as one row per zone: what dnsapi_zone_servers,
-- dnsapi_zone_status and dnsapi_zone_published_serial (migrations/0015)
-- answer for one zone, plus error: why a failing zone fails, in words to
-- act on (the zone's own steps first - render, include, reload - else each
-- server that keeps failing, by name and address, with its last error).
-- A view, so that a page of zones joins it (one index probe of
-- zone_servers per zone, no function call per row); the functions are
-- defined on it below, so the rule is written once.
CREATE VIEW zone_publication AS
SELECT z.id AS zone_id,
       coalesce(s.servers, '[]'::jsonb) AS servers,
       CASE WHEN z.publish_failures >= dnsapi_failing_after() OR coalesce(s.failing, false)
              THEN 'failing'
            WHEN z.published_serial = z.serial THEN 'published'
            ELSE 'pending' END AS status,
       z.published_serial,
       CASE WHEN z.publish_failures >= dnsapi_failing_after()
              THEN coalesce(z.last_error, 'the zone could not be published')
            ELSE s.error END AS error
  FROM zones z
  LEFT JOIN LATERAL (
      SELECT jsonb_agg(jsonb_build_object(
                 'name', x.name, 'address', x.address, 'serial', x.serial, 'in_sync', x.in_sync,
                 'checked_at', to_char(x.checked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                 'error', x.error) ORDER BY x.role, x.name) AS servers,
             bool_or(x.failures >= dnsapi_failing_after()) AS failing,
             string_agg(CASE WHEN x.failures >= dnsapi_failing_after()
                             THEN x.name || ' (' || x.address || '): '
                                  || coalesce(x.error, 'does not serve serial ' || z.serial) END,
                        '; ' ORDER BY x.role, x.name) AS error
        FROM zone_servers x WHERE x.zone_id = z.id) s ON true;

CREATE OR REPLACE FUNCTION dnsapi_zone_servers(zid uuid) RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce((SELECT p.servers FROM zone_publication p WHERE p.zone_id = zid), '[]'::jsonb)
$$;

CREATE OR REPLACE FUNCTION dnsapi_zone_status(zid uuid) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT p.status FROM zone_publication p WHERE p.zone_id = zid
$$;

CREATE OR REPLACE FUNCTION dnsapi_zone_published_serial(zid uuid) RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT p.published_serial FROM zone_publication p WHERE p.zone_id = zid
$$;

CREATE FUNCTION dnsapi_zone_error(zid uuid) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT p.error FROM zone_publication p WHERE p.zone_id = zid
$$;
