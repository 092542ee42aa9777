"""End to end: delegations checked against real servers on loopback.

The scenario of tests/e2e/dnsfleet.py: a root and test. (NSD, 127.0.0.30),
the parent zone example.test. (NSD, 127.0.0.31), child zones on Knot
(127.0.0.32) and NSD (127.0.0.33), provider.test. for name servers outside
the zone (NSD, 127.0.0.35), servers that are silent or answer junk, and
unbound recursing from the loopback root (127.0.0.1, port through
harness.tport). Port 53 on 127.0.0.30-38 is used as it is: delegations and
glue carry no port, so a resolver following them asks port 53
(DNSAPI_TEST_LOOPBACK_BASE moves the addresses: harness.loopback).

The static analysis and the live checks run in the test program
tests/tools/dnsprobe.c (the code the HTTP endpoints call), on the
parent zone's records as a script would have created them: correct, lame,
NS set mismatch, stale serial, missing glue, wrong glue address, servers
outside the zone through the resolver (and without one), silent, junk and
unreachable servers, a name that is not a delegation; the zone's own
delegation from its parent (right, registrar with other servers, stale
serial, no resolver); and unbound resolving a name below a delegation, then
following the delegation after it changed.
"""

import os
import re
import shutil
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import deleg_scenario as S  # noqa: E402
import dnsfleet as F  # noqa: E402
import harness  # noqa: E402

RESOLVER_PORT = harness.tport(15460)
RESOLVER = "127.0.0.1:%d" % RESOLVER_PORT
FAST = ("--attempt-ms", "400", "--attempts", "2", "--deadline-ms", "4000")


class DelegationLiveTest(S.LiveVerdicts, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        for tool in ("nsd", "knotd", "knotc", "unbound", "unbound-checkconf"):
            if shutil.which(tool) is None:
                raise unittest.SkipTest("%s is not installed" % tool)
        if F.probe_path() is None:
            raise unittest.SkipTest("dnsapi_dnsprobe is not built (set DNSAPI_BINARY)")
        cls.fleet = F.Fleet()
        try:
            cls.sc = S.Scenario().build(cls.fleet)
            cls.fleet.start()
            cls.resolver = cls.fleet.unbound(RESOLVER_PORT, [("ns.rootsrv.", S.ROOT)])
        except Exception:
            print(cls.fleet.log_tails(), file=sys.stderr)
            cls.fleet.stop()
            raise
        cls.spec = harness.load_spec()
        cls.serial = S.PARENT_SERIAL
        cls.zone_json = os.path.join(cls.fleet.dir, "example.test.json")
        cls.sc.probe_json(cls.zone_json, serial=cls.serial)

    @classmethod
    def tearDownClass(cls):
        cls.fleet.stop()

    # ---- helpers

    SCHEMAS = {"check": "DelegationCheck", "check-zone": "ZoneDelegationCheck"}

    def probe(self, *args, expect_rc=0):
        """Runs the probe; its JSON must match the schemas of openapi.yaml that
        the delegation endpoints answer with."""
        rc, body, err = F.probe(*args)
        self.assertEqual(rc, expect_rc, "probe %s: %s" % (" ".join(map(str, args)), err))
        cmd = next(a for a in args if a in ("delegations", "check", "check-zone"))
        if body is not None:
            if cmd == "delegations":
                items = [("Delegation", d) for d in body["delegations"]]
            else:
                items = [(self.SCHEMAS[cmd], body)]
            for schema, value in items:
                errs = harness.validate(self.spec, {"$ref": "#/components/schemas/" + schema},
                                        value)
                self.assertEqual(errs, [], "%s does not match %s" % (cmd, schema))
        return body

    def check(self, name, resolver=True):
        opts = FAST + (("--resolver", RESOLVER) if resolver else ())
        return self.probe(*opts, "check", self.zone_json, name)

    # ---- the static side

    def test_static_analysis_lists_every_delegation_with_its_problems(self):
        body = self.probe("delegations", self.zone_json)
        names = [d["name"] for d in body["delegations"]]
        self.assertEqual(names, ["broken.example.test.", "ext.example.test.",
                                 "good.example.test.", "lame.example.test.",
                                 "mismatch.example.test.", "moved.example.test.",
                                 "nobody.example.test.", "noglue.example.test.",
                                 "silent.example.test.", "stale.example.test.",
                                 "wrongglue.example.test."])
        by = {d["name"]: d for d in body["delegations"]}
        noglue = by["noglue.example.test."]
        self.assertEqual([(p["code"], p["subject"]) for p in noglue["problems"]],
                         [("missing_glue", "ns1.noglue.example.test.")])
        self.assertEqual(noglue["ns"][0]["glue"], "missing")
        self.assertEqual(noglue["ns"][1]["location"], "sibling")
        good = by["good.example.test."]
        self.assertTrue(good["ok"])
        self.assertEqual([(t["target"], t["location"], t["glue"], t["addresses"])
                          for t in good["ns"]],
                         [("ns1.good.example.test.", "below_cut", "present", [S.CHILD_KNOT]),
                          ("ns2.good.example.test.", "below_cut", "present", [S.CHILD_NSD])])
        self.assertEqual(sorted(g["use"] for g in good["glue"]), ["used", "used"])
        ext = by["ext.example.test."]
        self.assertEqual({t["location"] for t in ext["ns"]}, {"out_of_zone"})
        for name, d in by.items():
            if name != "noglue.example.test.":
                self.assertEqual(d["problems"], [], name)

    def test_a_name_that_is_not_a_delegation_is_refused(self):
        for name in ("www.example.test.", "ns1.good.example.test.", "example.test.",
                     "nothing.example.test."):
            self.probe(*FAST, "check", self.zone_json, name, expect_rc=4)

    def test_every_problem_code_the_code_can_produce_is_documented(self):
        src = os.environ.get("DNSAPI_SOURCE_DIR", os.path.dirname(os.path.dirname(HERE)))

        def codes(path, pattern):
            with open(os.path.join(src, path)) as f:
                return set(re.findall(pattern, f.read()))
        static = codes("dns/delegation.c", r'problem_add\(c, "([a-z_]+)"')
        live = codes("dns/livecheck.c", r'problem_add\(&?ps, "([a-z_]+)"')
        live |= codes("dns/livecheck.c", r'code = "([a-z_]+)";')
        live |= codes("api/view_delegation.c", r'"code", "([a-z_]+)"')
        schemas = self.spec["components"]["schemas"]
        self.assertEqual(static, set(schemas["DelegationProblem"]["properties"]["code"]["enum"]))
        self.assertEqual(live, set(schemas["LiveProblemCode"]["enum"]))

    # ---- live checks of delegations: S.LiveVerdicts

    def test_servers_outside_the_zone_without_a_resolver_say_how_to_set_one(self):
        r = self.check("ext", resolver=False)
        self.assertFalse(r["ok"])
        self.assertEqual(self.codes(r), [("no_resolver", "ns1.provider.test.", None),
                                         ("no_resolver", "ns2.provider.test.", None)])
        self.assertIn("DNSAPI_RESOLVER", r["problems"][0]["message"])
        self.assertEqual(r["servers"], [])

    # ---- the zone's own delegation

    def zone_check(self, records=None, serial=None, resolver=True):
        path = os.path.join(self.fleet.dir, "own.json")
        self.sc.probe_json(path, records=records,
                           serial=self.serial if serial is None else serial)
        opts = FAST + (("--resolver", RESOLVER) if resolver else ())
        return self.probe(*opts, "check-zone", path)

    def test_zone_delegated_by_its_parent_as_its_apex_says_is_ok(self):
        r = self.zone_check()
        self.assertTrue(r["ok"], r)
        self.assertEqual(r["parent"], "test.")
        self.assertEqual([(p["ns"], p["address"], p["delegated"], p["ns_served"])
                          for p in r["parent_servers"]],
                         [("ns.rootsrv.", S.ROOT, True, ["ns1.example.test."])])
        s = self.server(r, S.PARENT)
        self.assertEqual((s["serial"], s["source"]), (self.serial, "zone"))

    def test_registrar_with_other_name_servers_is_parent_ns_mismatch(self):
        records = self.sc.parent_records + [("@", 86400, "NS", "ns2.example.test."),
                                            ("ns2", 3600, "A", S.PARENT)]
        got = self.assertParentNsMismatch(self.zone_check(records=records), ["ns1.example.test."],
                                          ["ns1.example.test.", "ns2.example.test."])
        self.assertIn("registrar", got["message"])

    def test_own_server_without_the_current_serial_is_serial_drift(self):
        r = self.zone_check(serial=self.serial + 1)
        self.assertEqual(self.codes(r), [("serial_drift", "ns1.example.test.", S.PARENT)])
        self.assertIn("current serial is %d" % (self.serial + 1), r["problems"][0]["message"])

    def test_zone_check_without_a_resolver_says_how_to_set_one(self):
        r = self.zone_check(resolver=False)
        self.assertFalse(r["ok"])
        self.assertEqual(self.codes(r), [("no_resolver", None, None)])
        self.assertIsNone(r["parent"])

    # ---- a real resolver follows the delegations

    def test_resolver_follows_a_delegation_and_then_its_change(self):
        def move():
            records = self.sc.move(S.CHILD_NSD)
            type(self).serial += 1
            self.sc.parent.set_zone(S.ZONE, F.zone_text(S.ZONE, self.serial, records),
                                    self.serial)
            self.sc.probe_json(self.zone_json, serial=self.serial)
        self.assertResolverFollowsMoved(move)
        self.assertTrue(self.zone_check()["ok"])

if __name__ == "__main__":
    unittest.main(verbosity=2)
