"""End to end: faults of the fleet, on loopback.

- A secondary that is down: its entry turns failing with an error that
  says nothing answers, the zone's other servers are in sync, and when it
  comes back zonegen notices by itself and the zone is published.
- The primary restarted: the zones it had are still there, a change made
  while it was down is published once it is back.
- A secondary holding another TSIG secret: its entry is failing with an
  error that names the key and BADSIG; the other secondary is in sync.
- zonegen killed in the middle of rewriting a large catalog: the catalog
  on disk is whole (the old one or the new one, never a part), the next
  start removes the leftover and lists every zone.

Ports (shifted by DNSAPI_TEST_PORT_OFFSET): 15370-15374 and API 18151 for
the first fleet, 15380-15384 and API 18152 for the wrong key, API 18153 for
the kill.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import harness  # noqa: E402
import fleet  # noqa: E402
from test_zonegen_ns import Zonegen  # noqa: E402

import dns.zone  # noqa: E402

WAIT_SECONDS = 90.0
TOOLS = ("nsd", "nsd-control", "knotd", "knotc", "named", "named-checkconf")


def ports(base):
    return {"nsd": harness.tport(base), "nsd_control": harness.tport(base + 1),
            "knot": harness.tport(base + 2), "bind": harness.tport(base + 3),
            "metrics": harness.tport(base + 4)}


class FleetCase(unittest.TestCase):
    """One fleet, one stack, one zonegen per class."""
    PORT_BASE = None
    API_PORT = None
    NAME = None
    WRONG_BIND_KEY = False

    @classmethod
    def setUpClass(cls):
        harness.require_env()
        for tool in TOOLS:
            if shutil.which(tool) is None:
                raise unittest.SkipTest("%s is not installed" % tool)
        cls.ports = ports(cls.PORT_BASE)
        cls.fleet = fleet.Fleet(cls.ports)
        if cls.WRONG_BIND_KEY:
            # Same name, another secret.
            other = fleet.KeyFile(cls.fleet.bind.dir, name=cls.fleet.key.name)
            cls.fleet.bind.key = other
        cls.stack = cls.zonegen = None
        try:
            cls.fleet.start()
            cls.env = cls.fleet.zonegen_env()
            cls.stack = harness.Stack(cls.NAME, cls.API_PORT, env=cls.env).start()
            cls.token = cls.stack.token()
            cls.zonegen = Zonegen(cls.stack, cls.env).start()
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

    def detail(self):
        return "zonegen log:\n%s\n%s" % (self.zonegen.log_tail(), self.fleet.log_tail())

    def api(self, method, path, body=None, expect=None):
        r = self.stack.request(method, path, token=self.token, body=body)
        if expect is not None:
            self.assertEqual(r.status, expect, repr(r))
        return r

    def publication(self, zone):
        row = self.stack.sql(
            "SELECT json_build_object('serial', serial, 'published', "
            "dnsapi_zone_published_serial(id), 'status', dnsapi_zone_status(id), "
            "'last_error', last_error, 'servers', (SELECT jsonb_object_agg(s->>'name', s) "
            "FROM jsonb_array_elements(dnsapi_zone_servers(id)) s)) "
            "FROM zones WHERE name = '%s'" % zone)
        return json.loads(row) if row else None

    def wait_status(self, zone, status, check=lambda p: True):
        def done():
            p = self.publication(zone)
            return p if p and p["status"] == status and check(p) else None
        return fleet.wait_for("%s %s" % (zone, status), done, WAIT_SECONDS,
                              detail=lambda: "%r\n%s" % (self.publication(zone), self.detail()))

    def wait_published(self, zone):
        return self.wait_status(zone, "published", lambda p: p["published"] == p["serial"])


class SecondaryAndPrimaryFaultsTest(FleetCase):
    PORT_BASE = 15370
    API_PORT = 18151
    NAME = "zg_faults"

    def test_secondary_down_is_failing_then_recovers_by_itself(self):
        zone = "down.faults.test."
        knot = self.fleet.knot
        knot.stop()
        try:
            self.api("POST", "/v1/zones", body={"name": zone}, expect=201)
            p = self.wait_status(zone, "failing")
            ns2, ns3 = p["servers"]["ns2.dnsapi.test."], p["servers"]["ns3.dnsapi.test."]
            primary = p["servers"]["127.0.0.1:%d" % self.ports["nsd"]]
            self.assertFalse(ns2["in_sync"], repr(p))
            self.assertIn("SOA check: nothing listens on 127.0.0.1:%d" % self.ports["knot"],
                          ns2["error"])
            self.assertTrue(ns3["in_sync"], repr(p))
            self.assertEqual(ns3["serial"], p["serial"])
            self.assertTrue(primary["in_sync"], repr(p))
            self.assertIsNone(ns3["error"])
            # The serial every server serves is not there yet.
            self.assertIsNone(p["published"])
            self.assertIn("ns2.dnsapi.test.", p["last_error"])
        finally:
            knot.start()
        # Back: zonegen notices on its own, Knot catches up by the catalog.
        p = self.wait_published(zone)
        self.assertTrue(all(s["in_sync"] and s["error"] is None for s in p["servers"].values()),
                        repr(p))
        self.assertEqual(fleet.soa_serial(self.ports["knot"], zone), p["serial"])

    def test_primary_restarted_loses_nothing(self):
        zones = ["keep%d.faults.test." % i for i in range(3)]
        for z in zones:
            self.api("POST", "/v1/zones", body={"name": z}, expect=201)
        for z in zones:
            self.wait_published(z)
        primary = self.fleet.primary
        primary.stop()
        try:
            self.api("POST", "/v1/zones/%s/records" % zones[0],
                     body={"name": "while-down", "type": "A", "content": "192.0.2.44", "ttl": 300},
                     expect=201)
            p = self.wait_status(zones[0], "failing")
            self.assertRegex(p["last_error"], r"^reload: DNSAPI_RELOAD_CMD exited with status")
        finally:
            primary.start()
        p = self.wait_published(zones[0])
        for z in zones:
            for port in (self.ports["nsd"], self.ports["knot"], self.ports["bind"]):
                self.assertIsNotNone(fleet.soa_serial(port, z), "%s on %d" % (z, port))
        for port in (self.ports["nsd"], self.ports["knot"], self.ports["bind"]):
            r = fleet.query(port, "while-down." + zones[0], "A")
            self.assertEqual([rd.to_text() for rs in r.answer for rd in rs], ["192.0.2.44"])


class WrongKeyTest(FleetCase):
    PORT_BASE = 15380
    API_PORT = 18152
    NAME = "zg_wrongkey"
    WRONG_BIND_KEY = True

    def test_secondary_with_another_secret_is_failing_and_says_so(self):
        zone = "wrongkey.faults.test."
        self.api("POST", "/v1/zones", body={"name": zone}, expect=201)
        p = self.wait_status(zone, "failing")
        ns3 = p["servers"]["ns3.dnsapi.test."]
        self.assertFalse(ns3["in_sync"])
        self.assertEqual(ns3["error"],
                         "TSIG: 127.0.0.1:%d holds a key named xfr-key with another secret "
                         "(BADSIG); give it the key in DNSAPI_TSIG_KEY_FILE" % self.ports["bind"])
        self.assertTrue(p["servers"]["ns2.dnsapi.test."]["in_sync"], repr(p))
        self.assertIsNone(fleet.soa_serial(self.ports["bind"], zone))


class KilledMidCatalogTest(unittest.TestCase):
    ZONES = 6000
    ATTEMPTS = 3

    def test_catalog_is_never_half_written(self):
        harness.require_env()
        stack = harness.Stack("zg_killcat", 18153).start()
        try:
            self._run(stack)
        finally:
            stack.stop()

    def _catalog_whole(self, path):
        """The file parses and holds exactly the members its header counts."""
        with open(path) as f:
            text = f.read()
        header = text.split("\n", 1)[0].split()
        members = int(header[header.index("members") + 1])
        z = dns.zone.from_text(text, origin=fleet.CATALOG, check_origin=True)
        ptrs = [n for n, rds in z.iterate_rdatasets("PTR")]
        self.assertEqual(len(ptrs), members)
        self.assertTrue(text.endswith("\n"))
        return members

    def _run(self, stack):
        zone_dir = os.path.join(stack.tmpdir, "zones")
        env = {"DNSAPI_ZONE_DIR": zone_dir, "DNSAPI_CATALOG": fleet.CATALOG}
        stack.sql("INSERT INTO zones (account_id, name, nameservers, hostmaster) "
                  "SELECT a.id, 'k' || i || '.kill.test.', ARRAY['ns1.dnsapi.test.', "
                  "'ns2.dnsapi.test.'], 'hostmaster.dnsapi.test.' FROM accounts a, "
                  "generate_series(1, %d) i" % self.ZONES)
        path = os.path.join(zone_dir, "catalog.dnsapi.invalid.zone")
        killed = False
        for attempt in range(self.ATTEMPTS):
            zg = Zonegen(stack, env).start()
            tmp = os.path.join(zone_dir, ".catalog.dnsapi.invalid.zone.tmp.%d" % zg.proc.pid)
            deadline = time.monotonic() + 120
            next_sql = time.monotonic() + 1.0
            # Bounded by the deadline; the database is asked once a second
            # whether zonegen is done, the file system every 0.2 ms.
            while time.monotonic() < deadline and zg.proc.poll() is None:
                try:
                    caught = os.stat(tmp).st_size > 4096
                except FileNotFoundError:
                    caught = False
                if caught:
                    zg.proc.send_signal(signal.SIGKILL)
                    zg.proc.wait(timeout=10)
                    killed = True
                    break
                if time.monotonic() > next_sql:
                    if stack.sql("SELECT count(*) FROM zones WHERE published_serial IS NULL") \
                            == "0":
                        break
                    next_sql = time.monotonic() + 1.0
                time.sleep(0.0002)
            zg.stop()
            if killed:
                break
            # Not caught this time: start over from no catalog and no files.
            stack.sql("UPDATE zones SET exported_serial = NULL, published_serial = NULL")
            shutil.rmtree(zone_dir, ignore_errors=True)
        self.assertTrue(killed, "never caught zonegen writing the catalog")
        self.assertTrue(os.path.exists(tmp), "the killed writer's temporary file")
        if os.path.exists(path):
            self._catalog_whole(path)  # the previous catalog, whole
        # The next start removes the leftover and completes the catalog.
        zg = Zonegen(stack, env).start()
        try:
            fleet.wait_for("every zone published", lambda: stack.sql(
                "SELECT count(*) FROM zones WHERE published_serial IS DISTINCT FROM serial")
                == "0", WAIT_SECONDS, interval=0.2, detail=zg.log_tail)
            fleet.wait_for("catalog complete", lambda: os.path.exists(path) and
                           self._catalog_whole(path) == self.ZONES, WAIT_SECONDS, interval=0.2,
                           detail=zg.log_tail)
            self.assertFalse(os.path.exists(tmp))
        finally:
            self.assertEqual(zg.stop(), 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
