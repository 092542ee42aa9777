-- The zone's serial lives in one place: zones.serial.
--
-- Until now every write to a zone also rewrote the SOA record's content to
-- carry the new serial. That second row update (not HOT: content is indexed)
-- fired the records triggers again, recomputed the generated sort key and
-- added entries to three indexes, all while the zone's row was locked; it
-- was close to half of the database time of a record create. From here on
-- the serial field stored in the SOA row is the serial the zone was created
-- with, and whoever reads a record's content shows the SOA through
-- dnsapi_soa_content with the zone's current serial (storage/statements.h,
-- DB_RECORD_CONTENT), so the API, exports and master files always agree with
-- zones.serial.

-- The SOA content with its serial field (the third word) replaced by serial.
-- A plain SQL expression, so that the planner inlines it.
CREATE FUNCTION dnsapi_soa_content(content text, serial bigint) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT split_part(content, ' ', 1) || ' ' || split_part(content, ' ', 2) || ' ' || serial
           || ' ' || split_part(content, ' ', 4) || ' ' || split_part(content, ' ', 5)
           || ' ' || split_part(content, ' ', 6) || ' ' || split_part(content, ' ', 7)
$$;

-- Raises a zone's serial once per transaction that changes its records,
-- adjusts the record count and notifies zone_changed (delivered on commit).
CREATE OR REPLACE FUNCTION dnsapi_zone_touched(zid uuid, delta bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE zones
       SET serial = (serial + 1) % 4294967296,
           serial_txid = pg_current_xact_id(),
           record_count = record_count + delta,
           updated_at = now()
     WHERE id = zid AND serial_txid IS DISTINCT FROM pg_current_xact_id();
    IF FOUND THEN
        PERFORM pg_notify('zone_changed', zid::text);
    ELSIF delta <> 0 THEN
        UPDATE zones SET record_count = record_count + delta WHERE id = zid;
    END IF;
END
$$;

-- The guard, with the common case first: a row that is neither an SOA, an
-- NS nor marked system cannot be a system record, and needs no lookup of
-- its zone's name.
CREATE OR REPLACE FUNCTION dnsapi_records_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF pg_trigger_depth() > 1 THEN
        RETURN COALESCE(NEW, OLD);
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
