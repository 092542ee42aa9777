-- dnsapi_system_write_open (0035) as two index probes instead of one scan.
--
-- As one SQL expression, "w.txid = current AND (zone IS NULL OR
-- w.zone_id = zone)", the planner could use only the transaction id of the
-- primary key (txid, zone_id): every call read every row this transaction
-- had written, and dead rows stay visible to a scan until it ends. Zone
-- creation writes and removes one row per zone, and the records guard asks
-- once per system record, so a transaction creating n zones did O(n^2)
-- work: 2,000 zones in one INSERT took 8.4 s and 4,000 took 49 s on the
-- development machine, 6,000 (a test fixture) over a minute. With the two
-- cases apart each call is one probe: 2.9 s, 5.3 s and 10.0 s for 1,000,
-- 2,000 and 4,000 zones.
CREATE OR REPLACE FUNCTION dnsapi_system_write_open(zone uuid) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER AS $$
BEGIN
    IF zone IS NULL THEN
        RETURN EXISTS (SELECT 1 FROM dnsapi_system_writes w
                        WHERE w.txid = pg_current_xact_id_if_assigned());
    END IF;
    RETURN EXISTS (SELECT 1 FROM dnsapi_system_writes w
                    WHERE w.txid = pg_current_xact_id_if_assigned() AND w.zone_id = zone);
END
$$;

-- CREATE OR REPLACE drops the function's settings: search_path pinned
-- again as 0035 pins it.
DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION dnsapi_system_write_open(uuid) SET search_path = %I, pg_temp',
                   current_schema());
END
$$;
