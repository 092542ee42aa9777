-- Bulk-loads :n records into zone :'zone' (created if missing) for the
-- zonegen benchmarks. Triggers are bypassed for speed (session_replication_role
-- = replica, superuser only), so serial and record_count are fixed up here.
-- psql -v zone=bench100k.test. -v n=100000 -f bench/zonegen_load.sql
INSERT INTO accounts (name) VALUES ('bench') ON CONFLICT (name) DO NOTHING;
INSERT INTO zones (account_id, name, nameservers, hostmaster)
SELECT id, :'zone', ARRAY['ns1.dnsapi.test.', 'ns2.dnsapi.test.'], 'hostmaster.dnsapi.test.'
  FROM accounts WHERE name = 'bench'
ON CONFLICT (name) DO NOTHING;
SET session_replication_role = replica;
DELETE FROM records r USING zones z WHERE r.zone_id = z.id AND z.name = :'zone' AND NOT r.system;
INSERT INTO records (zone_id, account_id, name, type, content, ttl, priority)
SELECT z.id, z.account_id,
       'host-' || i || '.' || z.name,
       (ARRAY['A', 'AAAA', 'TXT', 'MX'])[1 + i % 4],
       CASE i % 4
         WHEN 0 THEN '10.' || (i >> 16) % 256 || '.' || (i >> 8) % 256 || '.' || i % 256
         WHEN 1 THEN '2001:db8::' || to_hex(i >> 16) || ':' || to_hex(i & 65535)
         WHEN 2 THEN 'v=spf1 ip4:192.0.2.' || i % 256 || ' -all'
         ELSE 'mail.' || z.name
       END,
       3600,
       CASE WHEN i % 4 = 3 THEN 10 END
  FROM zones z, generate_series(1, :n) AS i
 WHERE z.name = :'zone';
SET session_replication_role = origin;
UPDATE zones z SET record_count = (SELECT count(*) FROM records r WHERE r.zone_id = z.id)
 WHERE z.name = :'zone';
ANALYZE records;
