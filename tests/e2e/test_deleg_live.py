"""End to end: delegations checked against real servers on loopback.

The scenario of tests/e2e/dnsfleet.py: a root and test. (NSD, 127.0.0.30),
the parent zone example.test. (NSD, 127.0.0.31), child zones on Knot
(127.0.0.32) and NSD (127.0.0.33), provider.test. for name servers outside
the zone (NSD, 127.0.0.35), servers that are silent or answer junk, and
unbound recursing from the loopback root (127.0.0.1, port through
harness.tport). Port 53 on 127.0.0.30-38 is used as it is: delegations and
glue carry no port, so a resolver following them asks port 53.

The static analysis and the live checks run in the test program
tests/tools/dnsprobe.c (the code the HTTP endpoints will call), on the
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


class DelegationLiveTest(unittest.TestCase):
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
        the delegation endpoints will answer with."""
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

    def codes(self, report):
        return sorted((p["code"], p["ns"], p["address"]) for p in report["problems"])

    def server(self, report, address):
        got = [s for s in report["servers"] if s["address"] == address]
        self.assertEqual(len(got), 1, "no single server %s in %r" % (address, report))
        return got[0]

    def assertMessages(self, report):
        for p in report["problems"]:
            self.assertGreater(len(p["message"]), 40, p)

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

    # ---- live checks of delegations

    def test_correct_delegation_has_no_problem(self):
        r = self.check("good")
        self.assertTrue(r["ok"], r)
        self.assertEqual(r["problems"], [])
        self.assertEqual(len(r["servers"]), 2)
        for s in r["servers"]:
            self.assertTrue(s["authoritative"], s)
            self.assertEqual(s["serial"], 7)
            self.assertEqual(s["source"], "glue")
            self.assertEqual(s["ns_served"], ["ns1.good.example.test.", "ns2.good.example.test."])

    def test_server_that_does_not_serve_the_child_is_lame(self):
        r = self.check("lame")
        self.assertFalse(r["ok"])
        self.assertEqual(self.codes(r), [("lame", "ns1.lame.example.test.", S.CHILD_KNOT)])
        self.assertIn("REFUSED", self.server(r, S.CHILD_KNOT)["problems"][0]["message"])
        self.assertFalse(self.server(r, S.CHILD_KNOT)["authoritative"])
        self.assertEqual(self.server(r, S.CHILD_NSD)["problems"], [])
        self.assertMessages(r)

    def test_child_apex_ns_set_other_than_the_delegation_is_ns_mismatch(self):
        r = self.check("mismatch")
        for address in (S.CHILD_KNOT, S.CHILD_NSD):
            s = self.server(r, address)
            self.assertEqual(s["ns_served"],
                             ["ns1.mismatch.example.test.", "ns3.mismatch.example.test."])
            got = [p for p in s["problems"] if p["code"] == "ns_mismatch"]
            self.assertEqual(len(got), 1, s)
            self.assertIn("{ns1.mismatch.example.test., ns3.mismatch.example.test.}",
                          got[0]["message"])
            self.assertIn("{ns1.mismatch.example.test., ns2.mismatch.example.test.}",
                          got[0]["message"])
        self.assertEqual(r["ns"], ["ns1.mismatch.example.test.", "ns2.mismatch.example.test."])

    def test_server_behind_on_the_serial_is_serial_drift(self):
        r = self.check("stale")
        self.assertEqual(self.codes(r), [("serial_drift", "ns2.stale.example.test.", S.CHILD_NSD)])
        self.assertEqual(self.server(r, S.CHILD_KNOT)["serial"], 2)
        self.assertEqual(self.server(r, S.CHILD_NSD)["serial"], 1)
        self.assertIn("serves serial 1", r["problems"][0]["message"])

    def test_target_inside_the_child_without_glue_cannot_be_asked(self):
        r = self.check("noglue")
        self.assertEqual(self.codes(r), [("no_address", "ns1.noglue.example.test.", None)])
        self.assertEqual([t["ns"] for t in r["unreachable_targets"]], ["ns1.noglue.example.test."])
        s = self.server(r, S.CHILD_NSD)
        self.assertEqual(s["ns"], "ns2.good.example.test.")
        self.assertTrue(s["authoritative"])
        self.assertIn("glue", r["problems"][0]["message"])

    def test_glue_other_than_what_the_child_serves_is_glue_mismatch(self):
        r = self.check("wrongglue")
        self.assertFalse(r["ok"])
        self.assertEqual({p["code"] for p in r["problems"]}, {"glue_mismatch"})
        for p in r["problems"]:
            self.assertIn("ns1.wrongglue.example.test.", p["message"])
            self.assertIn("{%s}" % S.CHILD_NSD, p["message"])
            self.assertIn("{127.0.0.34}", p["message"])

    def test_servers_outside_the_zone_are_found_through_the_resolver(self):
        r = self.check("ext")
        self.assertTrue(r["ok"], r)
        self.assertEqual(sorted((s["ns"], s["address"], s["source"]) for s in r["servers"]),
                         [("ns1.provider.test.", S.CHILD_KNOT, "resolver"),
                          ("ns2.provider.test.", S.CHILD_NSD, "resolver")])

    def test_servers_outside_the_zone_without_a_resolver_say_how_to_set_one(self):
        r = self.check("ext", resolver=False)
        self.assertFalse(r["ok"])
        self.assertEqual(self.codes(r), [("no_resolver", "ns1.provider.test.", None),
                                         ("no_resolver", "ns2.provider.test.", None)])
        self.assertIn("DNSAPI_RESOLVER", r["problems"][0]["message"])
        self.assertEqual(r["servers"], [])

    def test_silent_junk_and_absent_servers_are_per_server_results(self):
        cases = (("silent", "timeout", S.SILENT), ("broken", "bad_reply", S.BROKEN),
                 ("nobody", "unreachable", S.NOBODY))
        for label, code, address in cases:
            r = self.check(label)
            self.assertEqual(self.codes(r), [(code, "ns1.%s.example.test." % label, address)],
                             label)
            other = self.server(r, S.CHILD_NSD)
            self.assertTrue(other["authoritative"], other)
            self.assertEqual(other["problems"], [])

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
        r = self.zone_check(records=records)
        self.assertFalse(r["ok"])
        got = [p for p in r["problems"] if p["code"] == "parent_ns_mismatch"]
        self.assertEqual(len(got), 1, r)
        self.assertEqual((got[0]["ns"], got[0]["address"]), ("ns.rootsrv.", S.ROOT))
        self.assertIn("{ns1.example.test.}", got[0]["message"])
        self.assertIn("{ns1.example.test., ns2.example.test.}", got[0]["message"])
        self.assertIn("registrar", got[0]["message"])

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
        self.assertEqual(self.resolver.resolve("www.good.example.test."), ["192.0.2.10"])
        self.assertEqual(self.resolver.resolve("www.moved.example.test."), ["10.0.0.1"])
        before = self.check("moved")
        self.assertTrue(before["ok"], before)
        self.assertEqual({s["address"] for s in before["servers"]}, {S.CHILD_KNOT})

        records = self.sc.move(S.CHILD_NSD)
        type(self).serial += 1
        self.sc.parent.set_zone(S.ZONE, F.zone_text(S.ZONE, self.serial, records), self.serial)
        self.sc.probe_json(self.zone_json, serial=self.serial)
        # every TTL on that path is 1 s: unbound goes back to the parent
        F.wait_until(lambda: self.resolver.resolve("www.moved.example.test.") == ["10.0.0.2"],
                     30, "unbound follows the changed delegation of moved.example.test.")
        after = self.check("moved")
        self.assertTrue(after["ok"], after)
        self.assertEqual({s["address"] for s in after["servers"]}, {S.CHILD_NSD})
        self.assertTrue(self.zone_check()["ok"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
