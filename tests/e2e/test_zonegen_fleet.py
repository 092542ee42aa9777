"""End to end: a hidden primary and two secondaries that follow the catalog.

NSD is the primary (127.0.0.1:15360, control 15361), fed by `dnsapi
zonegen` through its include, `nsd-control addzones`/`delzones` and a reload
per zone. Knot 3.2 (15362) and BIND 9.18 (15363) are configured once, as
consumers of the catalog zone catalog.dnsapi.invalid.; no zone is ever
configured on them. TSIG (hmac-sha256) for transfers and NOTIFY.

Through the API: a new zone becomes a catalog member and is served by both
secondaries; per-server state (dnsapi_zone_servers) says so and the status
is published; a record change reaches them by NOTIFY and a transfer; a
deleted zone disappears from them and from the catalog; the primary refuses
transfers without the key; zonegen's metrics are valid Prometheus text.
"""

import json
import os
import re
import shutil
import sys
import time
import unittest
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import harness  # noqa: E402
import fleet  # noqa: E402
from test_zonegen_ns import Zonegen  # noqa: E402

import dns.query  # noqa: E402
import dns.rcode  # noqa: E402
import dns.zone  # noqa: E402

PORTS = {
    "nsd": harness.tport(15360),
    "nsd_control": harness.tport(15361),
    "knot": harness.tport(15362),
    "bind": harness.tport(15363),
    "metrics": harness.tport(15364),
}
API_PORT = 18150
WAIT_SECONDS = 60.0


def label_of(zone_id):
    return zone_id.replace("-", "").lower()


class FleetTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        harness.require_env()
        for tool in ("nsd", "nsd-control", "knotd", "knotc", "named", "named-checkconf"):
            if shutil.which(tool) is None:
                raise unittest.SkipTest("%s is not installed" % tool)
        cls.fleet = fleet.Fleet(PORTS)
        cls.stack = cls.zonegen = None
        try:
            cls.fleet.start()
            env = cls.fleet.zonegen_env()
            cls.stack = harness.Stack("zonegen_fleet", API_PORT, env=env).start()
            cls.token = cls.stack.token()
            cls.zonegen = Zonegen(cls.stack, env).start()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        rc = None
        if cls.zonegen is not None:
            rc = cls.zonegen.stop()
        if cls.stack is not None:
            cls.stack.stop()
        cls.fleet.stop()
        if rc not in (None, 0):
            raise AssertionError("dnsapi zonegen exited %s on SIGTERM" % rc)

    # -- helpers -------------------------------------------------------------

    def detail(self):
        return "zonegen log:\n%s\n%s" % (self.zonegen.log_tail(), self.fleet.log_tail())

    def api(self, method, path, body=None, expect=None):
        r = self.stack.request(method, path, token=self.token, body=body)
        if expect is not None:
            self.assertEqual(r.status, expect, repr(r))
        return r

    def publication(self, zone):
        """(serial, published_serial, status, servers) through the SQL interface."""
        row = self.stack.sql(
            "SELECT json_build_object('serial', serial, 'published', "
            "dnsapi_zone_published_serial(id), 'status', dnsapi_zone_status(id), "
            "'servers', dnsapi_zone_servers(id)) FROM zones WHERE name = '%s'" % zone)
        return json.loads(row) if row else None

    def wait_published(self, zone):
        def done():
            p = self.publication(zone)
            return p if p and p["status"] == "published" and p["published"] == p["serial"] \
                else None
        return fleet.wait_for("%s published on every server" % zone, done, WAIT_SECONDS,
                              detail=lambda: "%r\n%s" % (self.publication(zone), self.detail()))

    def create_zone(self, zone):
        r = self.api("POST", "/v1/zones", body={"name": zone}, expect=201)
        return r.data["zone"]

    # -- tests -----------------------------------------------------------------

    def test_new_zone_is_a_catalog_member_served_by_both_secondaries(self):
        zone = "fleet-new.test."
        z = self.create_zone(zone)
        self.api("POST", "/v1/zones/%s/records" % zone,
                 body={"name": "www", "type": "A", "content": "192.0.2.80", "ttl": 300},
                 expect=201)
        p = self.wait_published(zone)
        serial = p["serial"]
        # Every server, by name, in sync at the zone's serial.
        servers = {s["name"]: s for s in p["servers"]}
        self.assertEqual(set(servers), {"127.0.0.1:%d" % PORTS["nsd"], "ns2.dnsapi.test.",
                                         "ns3.dnsapi.test."}, repr(p))
        for s in servers.values():
            self.assertTrue(s["in_sync"], repr(s))
            self.assertEqual(s["serial"], serial, repr(s))
            self.assertIsNone(s["error"], repr(s))
            self.assertRegex(s["checked_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertEqual(servers["ns2.dnsapi.test."]["address"], "127.0.0.1:%d" % PORTS["knot"])
        # All three answer with the serial and the record.
        for port in (PORTS["nsd"], PORTS["knot"], PORTS["bind"]):
            self.assertEqual(fleet.soa_serial(port, zone), serial, "port %d" % port)
            r = fleet.query(port, "www." + zone, "A")
            self.assertEqual([rd.to_text() for rs in r.answer for rd in rs], ["192.0.2.80"])
        # The catalog (RFC 9432 v2) lists it under its stable label; the
        # primary serves it (Knot, as consumer, does not answer for it).
        cat = fleet.CATALOG
        ptr = "%s.zones.%s" % (label_of(z["id"]), cat)
        r = fleet.query(PORTS["nsd"], ptr, "PTR")
        self.assertEqual([rd.to_text() for rs in r.answer for rd in rs], [zone], str(r))
        r = fleet.query(PORTS["nsd"], "version." + cat, "TXT")
        self.assertEqual([rd.to_text() for rs in r.answer for rd in rs], ['"2"'])
        with open(os.path.join(self.fleet.zone_dir, cat.rstrip(".") + ".zone")) as f:
            text = f.read()
        self.assertIn("%s 0 IN PTR %s\n" % (ptr, zone), text)
        catalog = dns.zone.from_text(text, origin=cat, check_origin=True)
        self.assertEqual(catalog.get_rdataset("@", "NS")[0].to_text(), "invalid.")
        # The zone's SQL status agrees with what the API shows today.
        api_zone = self.api("GET", "/v1/zones/" + zone, expect=200).data["zone"]
        self.assertEqual(api_zone["published_serial"], serial)

    def test_record_change_arrives_by_notify_and_transfer(self):
        zone = "fleet-change.test."
        self.create_zone(zone)
        self.wait_published(zone)
        knot_before = len(self.fleet.knot.log_text())
        bind_before = len(self.fleet.bind.log_text())
        self.api("POST", "/v1/zones/%s/records" % zone,
                 body={"name": "new", "type": "TXT", "content": "hello", "ttl": 300},
                 expect=201)
        p = self.wait_published(zone)
        for port in (PORTS["knot"], PORTS["bind"]):
            self.assertEqual(fleet.soa_serial(port, zone), p["serial"])
            r = fleet.query(port, "new." + zone, "TXT")
            self.assertEqual([rd.to_text() for rs in r.answer for rd in rs], ['"hello"'])
        # It came by NOTIFY and a transfer (NSD answers an IXFR request with
        # the whole zone), not by a timer.
        knot_log = self.fleet.knot.log_text()[knot_before:]
        self.assertRegex(knot_log, r"\[%s\] notify, incoming" % re.escape(zone), knot_log)
        self.assertRegex(knot_log, r"\[%s\] (IXFR|AXFR), incoming" % re.escape(zone), knot_log)
        bind_log = self.fleet.bind.log_text()[bind_before:]
        self.assertRegex(bind_log, r"notify from 127\.0\.0\.1#\d+: serial %d" % p["serial"],
                         bind_log)
        self.assertRegex(bind_log, r"transfer of '%s/IN'.*Transfer status: success"
                         % re.escape(zone.rstrip(".")), bind_log)

    def test_deleted_zone_disappears_from_the_secondaries(self):
        zone = "fleet-gone.test."
        z = self.create_zone(zone)
        self.wait_published(zone)
        for port in (PORTS["knot"], PORTS["bind"]):
            self.assertIsNotNone(fleet.soa_serial(port, zone))
        self.api("DELETE", "/v1/zones/" + zone, expect=200)
        for port in (PORTS["nsd"], PORTS["knot"], PORTS["bind"]):
            fleet.wait_for("%s gone from port %d" % (zone, port),
                           lambda: fleet.soa_serial(port, zone) is None, WAIT_SECONDS,
                           detail=self.detail)
        r = fleet.query(PORTS["nsd"], "%s.zones.%s" % (label_of(z["id"]), fleet.CATALOG), "PTR")
        self.assertEqual(r.rcode(), dns.rcode.NXDOMAIN, str(r))
        self.assertFalse(os.path.exists(os.path.join(self.fleet.zone_dir, "fleet-gone.test.zone")))
        self.assertEqual(self.stack.sql("SELECT count(*) FROM zone_servers"),
                         self.stack.sql("SELECT count(*) FROM zone_servers s JOIN zones z "
                                        "ON z.id = s.zone_id"))

    def test_primary_allows_transfers_only_with_the_key(self):
        zone = "fleet-xfr.test."
        self.create_zone(zone)
        self.wait_published(zone)
        # With the key, from a secondary's address: the whole zone.
        xfr = dns.query.xfr("127.0.0.1", zone, port=PORTS["nsd"], keyring=self.fleet.key.keyring(),
                            keyname=self.fleet.key.name, keyalgorithm="hmac-sha256", lifetime=10)
        z = dns.zone.from_xfr(xfr)
        self.assertIn("@", [n.to_text() for n in z.nodes])
        # Without the key: refused.
        with self.assertRaises(dns.exception.DNSException):
            dns.zone.from_xfr(dns.query.xfr("127.0.0.1", zone, port=PORTS["nsd"], lifetime=10))
        # With the key but from an address that is not a secondary's: refused.
        with self.assertRaises(dns.exception.DNSException):
            dns.zone.from_xfr(dns.query.xfr("127.0.0.1", zone, port=PORTS["nsd"],
                                            keyring=self.fleet.key.keyring(),
                                            keyname=self.fleet.key.name,
                                            keyalgorithm="hmac-sha256", source="127.0.0.2",
                                            lifetime=10))

    def test_metrics_are_prometheus_text_with_help_and_type(self):
        zone = "fleet-metrics.test."
        self.create_zone(zone)
        self.wait_published(zone)
        url = "http://127.0.0.1:%d/metrics" % PORTS["metrics"]
        with urllib.request.urlopen(url, timeout=10) as resp:
            self.assertEqual(resp.status, 200)
            self.assertTrue(resp.headers["Content-Type"].startswith("text/plain"))
            text = resp.read().decode()
        helps, types, samples = set(), {}, {}
        for line in text.splitlines():
            if line.startswith("# HELP "):
                helps.add(line.split()[2])
            elif line.startswith("# TYPE "):
                _, _, name, kind = line.split()
                types[name] = kind
            else:
                m = re.fullmatch(r'([a-z_]+)(\{[a-z_]+="[^"]*"\})? (-?[0-9.e+]+|\+Inf)', line)
                self.assertIsNotNone(m, "not a sample line: %r" % line)
                samples[m.group(1) + (m.group(2) or "")] = float(m.group(3))
        self.assertEqual(helps, set(types))
        for name in samples:
            base = re.sub(r"\{.*", "", name)
            family = re.sub(r"_(bucket|sum|count)$", "", base) if base not in types else base
            self.assertIn(family, types, "%s has no TYPE" % name)
        self.assertGreaterEqual(samples["dnsapi_zonegen_zones_rendered_total"], 1)
        self.assertGreaterEqual(samples["dnsapi_zonegen_change_to_published_seconds_count"], 1)
        self.assertIn('dnsapi_zonegen_publish_failures_total{server="ns2.dnsapi.test."}', samples)
        self.assertIn("dnsapi_zonegen_zones_pending", samples)
        self.assertIn("dnsapi_zonegen_oldest_pending_change_seconds", samples)
        self.assertEqual(types["dnsapi_zonegen_change_to_published_seconds"], "histogram")
        self.assertGreater(samples["dnsapi_zonegen_catalog_serial"], 0)
        # Anything but GET /metrics is answered, and refused.
        with self.assertRaises(urllib.error.HTTPError) as cm:
            urllib.request.urlopen("http://127.0.0.1:%d/other" % PORTS["metrics"], timeout=10)
        self.assertEqual(cm.exception.code, 404)


if __name__ == "__main__":
    unittest.main(verbosity=2)
