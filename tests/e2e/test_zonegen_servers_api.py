"""End to end: the zone object over HTTP tells, server by server, what a
real fleet serves.

NSD as primary (fed by `dnsapi zonegen`), Knot 3.2 and BIND 9.18 as
catalog secondaries (tests/e2e/fleet.py), `dnsapi serve`. Every answer is
checked against openapi.yaml.

- A new zone is `pending` (no server asked yet) and becomes `published`:
  `servers` names the primary and both secondaries, each in sync at the
  zone's serial, `published_serial` is that serial, `error` null; the list
  shows the same object.
- A secondary that is down: the zone turns `failing`, its `error` names the
  server, its address and what fails; the other servers are in sync; when it
  is back the zone is published by itself.
- PUT /v1/zones/{zone}/nameservers: the new apex NS set and SOA MNAME are
  served by the primary and the secondaries once the zone is published.

Ports (shifted by DNSAPI_TEST_PORT_OFFSET): 15390-15394, API 18155. Every
wait is bounded (WAIT_SECONDS).
"""

import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import harness  # noqa: E402
import fleet  # noqa: E402
from test_zonegen_faults import FleetCase  # noqa: E402

WAIT_SECONDS = 90.0


class ZoneServersApiTest(FleetCase):
    PORT_BASE = 15390
    API_PORT = 18155
    NAME = "zg_servers_api"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.spec = harness.load_spec()

    # -- helpers -------------------------------------------------------------

    def call(self, method, path, template, body=None, expect=None):
        r = self.stack.request(method, path, token=self.token, body=body)
        harness.check_contract(self.spec, method, template, r)
        if expect is not None:
            self.assertEqual(r.status, expect, repr(r))
        return r

    def zone(self, zone):
        return self.call("GET", "/v1/zones/" + zone, "/v1/zones/{zone}", expect=200).data["zone"]

    def wait_status(self, zone, status, check=lambda z: True):
        def done():
            z = self.zone(zone)
            return z if z["status"] == status and check(z) else None
        return fleet.wait_for("%s %s over HTTP" % (zone, status), done, WAIT_SECONDS,
                              interval=0.25,
                              detail=lambda: "%r\n%s" % (self.zone(zone), self.detail()))

    def wait_published(self, zone):
        return self.wait_status(zone, "published", lambda z: z["published_serial"] == z["serial"])

    def server_names(self):
        return {"127.0.0.1:%d" % self.ports["nsd"], "ns2.dnsapi.test.", "ns3.dnsapi.test."}

    # -- tests -----------------------------------------------------------------

    def test_pending_then_published_server_by_server(self):
        zone = "pub.servers-api.test."
        z = self.call("POST", "/v1/zones", "/v1/zones", body={"name": zone},
                      expect=201).data["zone"]
        self.assertEqual((z["status"], z["servers"], z["published_serial"], z["error"]),
                         ("pending", [], None, None))
        p = self.wait_published(zone)
        self.assertEqual({s["name"] for s in p["servers"]}, self.server_names(), repr(p))
        for s in p["servers"]:
            self.assertTrue(s["in_sync"], repr(s))
            self.assertEqual(s["serial"], p["serial"], repr(s))
            self.assertIsNone(s["error"], repr(s))
        by_name = {s["name"]: s for s in p["servers"]}
        self.assertEqual(by_name["ns2.dnsapi.test."]["address"], "127.0.0.1:%d" % self.ports["knot"])
        self.assertEqual(by_name["ns3.dnsapi.test."]["address"], "127.0.0.1:%d" % self.ports["bind"])
        self.assertIsNone(p["error"])
        for port in (self.ports["nsd"], self.ports["knot"], self.ports["bind"]):
            self.assertEqual(fleet.soa_serial(port, zone), p["serial"], "port %d" % port)
        r = self.call("GET", "/v1/zones?name=pub.servers-api.test", "/v1/zones", expect=200)
        self.assertEqual(r.data["zones"], [p])
        # a change: pending until every server serves the new serial, then published
        r = self.call("POST", "/v1/zones/%s/records" % zone, "/v1/zones/{zone}/records",
                      body={"name": "www", "type": "A", "content": "192.0.2.7", "ttl": 300},
                      expect=201)
        serial = r.data["serial"]
        now = self.zone(zone)
        self.assertEqual(now["serial"], serial)
        if now["status"] != "published":
            self.assertEqual(now["status"], "pending", repr(now))
            self.assertEqual(now["published_serial"], p["serial"], repr(now))
        p = self.wait_published(zone)
        self.assertEqual(p["published_serial"], serial)
        self.assertEqual({s["serial"] for s in p["servers"]}, {serial})

    def test_failing_with_its_error_while_a_secondary_is_down(self):
        zone = "down.servers-api.test."
        knot = self.fleet.knot
        knot.stop()
        try:
            self.call("POST", "/v1/zones", "/v1/zones", body={"name": zone}, expect=201)
            p = self.wait_status(zone, "failing")
            by_name = {s["name"]: s for s in p["servers"]}
            self.assertEqual(set(by_name), self.server_names(), repr(p))
            ns2 = by_name["ns2.dnsapi.test."]
            self.assertFalse(ns2["in_sync"], repr(p))
            self.assertIn("nothing listens on 127.0.0.1:%d" % self.ports["knot"], ns2["error"])
            self.assertIsNotNone(p["error"])
            self.assertTrue(p["error"].startswith(
                "ns2.dnsapi.test. (127.0.0.1:%d): " % self.ports["knot"]), p["error"])
            self.assertIn("nothing listens on 127.0.0.1:%d" % self.ports["knot"], p["error"])
            for name in self.server_names() - {"ns2.dnsapi.test."}:
                self.assertTrue(by_name[name]["in_sync"], repr(p))
                self.assertEqual(by_name[name]["serial"], p["serial"], repr(p))
                self.assertIsNone(by_name[name]["error"], repr(p))
            self.assertIsNone(p["published_serial"], "not every server serves it")
        finally:
            knot.start()
        p = self.wait_published(zone)
        self.assertIsNone(p["error"])
        self.assertTrue(all(s["in_sync"] and s["error"] is None for s in p["servers"]), repr(p))

    def test_changed_nameservers_are_served(self):
        zone = "ns.servers-api.test."
        self.call("POST", "/v1/zones", "/v1/zones", body={"name": zone}, expect=201)
        self.wait_published(zone)
        r = self.call("PUT", "/v1/zones/%s/nameservers" % zone, "/v1/zones/{zone}/nameservers",
                      body={"nameservers": ["a.ns.servers-api.test", "ns-b.elsewhere.test"],
                            "glue": [{"name": "a", "type": "A", "content": "192.0.2.61"}]},
                      expect=200)
        serial = r.data["serial"]
        p = self.wait_published(zone)
        self.assertEqual(p["published_serial"], serial)
        self.assertEqual(p["nameservers"], ["a.ns.servers-api.test.", "ns-b.elsewhere.test."])
        for port in (self.ports["nsd"], self.ports["knot"], self.ports["bind"]):
            ans = fleet.query(port, zone, "NS")
            self.assertEqual(sorted(rd.to_text() for rs in ans.answer for rd in rs),
                             ["a.ns.servers-api.test.", "ns-b.elsewhere.test."], "port %d" % port)
            soa = fleet.query(port, zone, "SOA")
            self.assertEqual([rd.mname.to_text() for rs in soa.answer for rd in rs],
                             ["a.ns.servers-api.test."], "port %d" % port)
            glue = fleet.query(port, "a." + zone, "A")
            self.assertEqual([rd.to_text() for rs in glue.answer for rd in rs], ["192.0.2.61"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
