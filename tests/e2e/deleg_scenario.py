"""The delegation scenario of the live-check tests: example.test. and its
children, served by a dnsfleet.Fleet on port 53 of 127.0.0.30-38.

tests/e2e/test_deleg_live.py drives the probe through it, and
tests/e2e/test_api_delegations.py the HTTP delegation endpoints, with the
parent zone's records (Scenario.parent_records) created through the API.
LiveVerdicts holds what both must find.
"""

import json

from dnsfleet import wait_until, zone_text
from harness import loopback

# port 53 of 127.0.0.30-38 (harness.loopback: DNSAPI_TEST_LOOPBACK_BASE moves them)
ROOT = loopback(30, 0)        # NSD: "." and "test."
PARENT = loopback(30, 1)      # NSD: example.test. (the zone dnsapi holds)
CHILD_KNOT = loopback(30, 2)
CHILD_NSD = loopback(30, 3)
ELSEWHERE = loopback(30, 4)   # what the wrongglue child says its server is
PROVIDER = loopback(30, 5)    # NSD: provider.test. (name servers outside the zone)
NOBODY = loopback(30, 6)      # nothing listens
SILENT = loopback(30, 7)      # reads, never answers
BROKEN = loopback(30, 8)      # answers junk with the query's id
ZONE = "example.test."
PARENT_SERIAL = 2024010101


class Scenario:
    """The delegations of example.test., each with the case it shows:

      good       two servers (Knot, NSD) with glue, serving the same zone
      lame       the Knot server does not serve the child (REFUSED)
      mismatch   the child's apex NS set is {ns1, ns3}, the delegation {ns1, ns2}
      stale      the NSD server serves serial 1, Knot serial 2
      noglue     ns1.noglue has no glue; ns2 is a sibling (good's server)
      wrongglue  glue CHILD_NSD for ns1.wrongglue; the child says ELSEWHERE
      ext        name servers outside the zone (provider.test.): the resolver
      silent     one server never answers; broken: one answers junk
      moved      TTL 1 everywhere; changed from Knot (www 10.0.0.1) to NSD
                 (www 10.0.0.2) to show a resolver following it
    """

    def __init__(self):
        self.parent_records = self._parent_records(moved_to=CHILD_KNOT)

    @staticmethod
    def _parent_records(moved_to):
        r = [
            ("@", 86400, "NS", "ns1.example.test."),
            ("ns1", 3600, "A", PARENT),
            ("www", 3600, "A", "192.0.2.80"),
        ]

        def deleg(label, targets, ttl=86400):
            for t in targets:
                r.append((label, ttl, "NS", t))

        deleg("good", ["ns1.good.example.test.", "ns2.good.example.test."])
        r += [("ns1.good", 3600, "A", CHILD_KNOT), ("ns2.good", 3600, "A", CHILD_NSD)]
        deleg("lame", ["ns1.lame.example.test.", "ns2.lame.example.test."])
        r += [("ns1.lame", 3600, "A", CHILD_KNOT), ("ns2.lame", 3600, "A", CHILD_NSD)]
        deleg("mismatch", ["ns1.mismatch.example.test.", "ns2.mismatch.example.test."])
        r += [("ns1.mismatch", 3600, "A", CHILD_KNOT), ("ns2.mismatch", 3600, "A", CHILD_NSD)]
        deleg("stale", ["ns1.stale.example.test.", "ns2.stale.example.test."])
        r += [("ns1.stale", 3600, "A", CHILD_KNOT), ("ns2.stale", 3600, "A", CHILD_NSD)]
        deleg("noglue", ["ns1.noglue.example.test.", "ns2.good.example.test."])
        deleg("wrongglue", ["ns1.wrongglue.example.test.", "ns2.good.example.test."])
        r += [("ns1.wrongglue", 3600, "A", CHILD_NSD)]
        deleg("ext", ["ns1.provider.test.", "ns2.provider.test."])
        deleg("silent", ["ns1.silent.example.test.", "ns2.good.example.test."])
        r += [("ns1.silent", 3600, "A", SILENT)]
        deleg("broken", ["ns1.broken.example.test.", "ns2.good.example.test."])
        r += [("ns1.broken", 3600, "A", BROKEN)]
        deleg("nobody", ["ns1.nobody.example.test.", "ns2.good.example.test."])
        r += [("ns1.nobody", 3600, "A", NOBODY)]
        deleg("moved", ["ns1.moved.example.test.", "ns2.moved.example.test."], ttl=1)
        r += [("ns1.moved", 1, "A", moved_to), ("ns2.moved", 1, "A", moved_to)]
        return r

    @staticmethod
    def absolute(name, origin=ZONE):
        if name == "@":
            return origin
        return name if name.endswith(".") else "%s.%s" % (name, origin)

    def parent_text(self, serial=PARENT_SERIAL):
        return zone_text(ZONE, serial, self.parent_records)

    def probe_json(self, path, records=None, serial=PARENT_SERIAL):
        """The parent zone as the probe (and the API) takes records."""
        recs = self.parent_records if records is None else records
        with open(path, "w") as f:
            json.dump({"zone": ZONE, "serial": serial,
                       "records": [{"name": self.absolute(n), "type": t, "content": c, "ttl": ttl}
                                   for n, ttl, t, c in recs]}, f)
        return path

    def move(self, to):
        """The moved delegation pointed at another server (returns the new
        parent records; the caller reloads the parent)."""
        self.parent_records = self._parent_records(moved_to=to)
        return self.parent_records

    @staticmethod
    def child(label, ns, serial=1, extra=(), ttl=3600):
        """A child zone label.example.test. with apex NS ns (labels relative
        to the child) and the A records of in-zone name servers."""
        origin = "%s.%s" % (label, ZONE)
        recs = [("@", ttl, "NS", n if n.endswith(".") else "%s.%s" % (n, origin)) for n in ns]
        recs += list(extra)
        return origin, zone_text(origin, serial, recs, soa_ttl=ttl)

    def children(self):
        """{server address: {zone: text}} for the child servers."""
        knot, nsd = {}, {}
        good = self.child("good", ["ns1", "ns2"], serial=7,
                          extra=[("ns1", 3600, "A", CHILD_KNOT), ("ns2", 3600, "A", CHILD_NSD),
                                 ("www", 3600, "A", "192.0.2.10")])
        knot[good[0]], nsd[good[0]] = good[1], good[1]
        lame = self.child("lame", ["ns1", "ns2"],
                          extra=[("ns1", 3600, "A", CHILD_KNOT), ("ns2", 3600, "A", CHILD_NSD)])
        nsd[lame[0]] = lame[1]  # Knot does not serve it
        mis = self.child("mismatch", ["ns1", "ns3"],
                         extra=[("ns1", 3600, "A", CHILD_KNOT), ("ns3", 3600, "A", CHILD_NSD)])
        knot[mis[0]], nsd[mis[0]] = mis[1], mis[1]
        stale_extra = [("ns1", 3600, "A", CHILD_KNOT), ("ns2", 3600, "A", CHILD_NSD)]
        knot["stale.example.test."] = self.child("stale", ["ns1", "ns2"], serial=2,
                                                 extra=stale_extra)[1]
        nsd["stale.example.test."] = self.child("stale", ["ns1", "ns2"], serial=1,
                                                extra=stale_extra)[1]
        nog = self.child("noglue", ["ns1", "ns2.good.example.test."],
                         extra=[("ns1", 3600, "A", CHILD_NSD)])
        nsd[nog[0]] = nog[1]
        wrong = self.child("wrongglue", ["ns1", "ns2.good.example.test."],
                           extra=[("ns1", 3600, "A", ELSEWHERE)])
        nsd[wrong[0]] = wrong[1]
        ext = self.child("ext", ["ns1.provider.test.", "ns2.provider.test."])
        knot[ext[0]], nsd[ext[0]] = ext[1], ext[1]
        for label, address in (("silent", SILENT), ("broken", BROKEN), ("nobody", NOBODY)):
            z = self.child(label, ["ns1", "ns2.good.example.test."],
                           extra=[("ns1", 3600, "A", address)])
            nsd[z[0]] = z[1]
        knot["moved.example.test."] = self.child(
            "moved", ["ns1", "ns2"], serial=1, ttl=1,
            extra=[("ns1", 1, "A", CHILD_KNOT), ("ns2", 1, "A", CHILD_KNOT),
                   ("www", 1, "A", "10.0.0.1")])[1]
        nsd["moved.example.test."] = self.child(
            "moved", ["ns1", "ns2"], serial=2, ttl=1,
            extra=[("ns1", 1, "A", CHILD_NSD), ("ns2", 1, "A", CHILD_NSD),
                   ("www", 1, "A", "10.0.0.2")])[1]
        return {CHILD_KNOT: knot, CHILD_NSD: nsd}

    @staticmethod
    def root_zones():
        root = zone_text(".", 1, [
            ("@", 3600, "NS", "ns.rootsrv."),
            ("ns.rootsrv.", 3600, "A", ROOT),
            ("test.", 3600, "NS", "ns.rootsrv."),
        ])
        test = zone_text("test.", 1, [
            ("@", 3600, "NS", "ns.rootsrv."),
            ("example", 3600, "NS", "ns1.example.test."),
            ("ns1.example", 3600, "A", PARENT),
            ("provider", 3600, "NS", "ns.provider.test."),
            ("ns.provider", 3600, "A", PROVIDER),
        ])
        return {".": root, "test.": test}

    @staticmethod
    def provider_zone():
        return {"provider.test.": zone_text("provider.test.", 1, [
            ("@", 3600, "NS", "ns.provider.test."),
            ("ns", 3600, "A", PROVIDER),
            ("ns1", 3600, "A", CHILD_KNOT),
            ("ns2", 3600, "A", CHILD_NSD),
        ])}

    def build(self, fleet):
        """Every server of the scenario in fleet (not started)."""
        kids = self.children()
        self.root = fleet.nsd("root", ROOT, self.root_zones())
        self.parent = fleet.nsd("parent", PARENT, {ZONE: self.parent_text()})
        self.knot = fleet.knot("child-knot", CHILD_KNOT, kids[CHILD_KNOT])
        self.nsd = fleet.nsd("child-nsd", CHILD_NSD, kids[CHILD_NSD])
        self.provider = fleet.nsd("provider", PROVIDER, self.provider_zone())
        fleet.fake(SILENT, "silent")
        fleet.fake(BROKEN, "broken")
        return self


class LiveVerdicts:
    """The live verdicts on the scenario's delegations, asserted the same way
    whichever way in ran the check (the probe, the HTTP API): a TestCase
    mixin for a class whose check(label) returns a DelegationCheck report
    for label.example.test. (with DNSAPI_RESOLVER set)."""

    def codes(self, report):
        return sorted((p["code"], p["ns"], p["address"]) for p in report["problems"])

    def server(self, report, address):
        got = [s for s in report["servers"] if s["address"] == address]
        self.assertEqual(len(got), 1, "no single server %s in %r" % (address, report))
        return got[0]

    def assertParentNsMismatch(self, report, parent_ns, apex_ns):
        """One parent_ns_mismatch from the root's server of test., naming
        the parent's set and the apex set (each as "{a., b.}")."""
        self.assertFalse(report["ok"])
        got = [p for p in report["problems"] if p["code"] == "parent_ns_mismatch"]
        self.assertEqual(len(got), 1, report)
        self.assertEqual((got[0]["ns"], got[0]["address"]), ("ns.rootsrv.", ROOT))
        for names in (parent_ns, apex_ns):
            self.assertIn("{%s}" % ", ".join(names), got[0]["message"])
        return got[0]

    def assertResolverFollowsMoved(self, move):
        """The resolver (self.resolver) finds names below good and moved;
        move() points the moved delegation at CHILD_NSD (the way in's own
        write, and the parent serving it), after which the resolver and the
        check both follow it."""
        self.assertEqual(self.resolver.resolve("www.good.example.test."), ["192.0.2.10"])
        self.assertEqual(self.resolver.resolve("www.moved.example.test."), ["10.0.0.1"])
        before = self.check("moved")
        self.assertTrue(before["ok"], before)
        self.assertEqual({s["address"] for s in before["servers"]}, {CHILD_KNOT})
        move()
        # every TTL on that path is 1 s: unbound goes back to the parent
        wait_until(lambda: self.resolver.resolve("www.moved.example.test.") == ["10.0.0.2"],
                   30, "unbound follows the changed delegation of moved.example.test.")
        after = self.check("moved")
        self.assertTrue(after["ok"], after)
        self.assertEqual({s["address"] for s in after["servers"]}, {CHILD_NSD})

    def assertMessages(self, report):
        for p in report["problems"]:
            self.assertGreater(len(p["message"]), 40, p)

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
        self.assertEqual(self.codes(r), [("lame", "ns1.lame.example.test.", CHILD_KNOT)])
        self.assertIn("REFUSED", self.server(r, CHILD_KNOT)["problems"][0]["message"])
        self.assertFalse(self.server(r, CHILD_KNOT)["authoritative"])
        self.assertEqual(self.server(r, CHILD_NSD)["problems"], [])
        self.assertMessages(r)

    def test_child_apex_ns_set_other_than_the_delegation_is_ns_mismatch(self):
        r = self.check("mismatch")
        for address in (CHILD_KNOT, CHILD_NSD):
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
        self.assertEqual(self.codes(r), [("serial_drift", "ns2.stale.example.test.", CHILD_NSD)])
        self.assertEqual(self.server(r, CHILD_KNOT)["serial"], 2)
        self.assertEqual(self.server(r, CHILD_NSD)["serial"], 1)
        self.assertIn("serves serial 1", r["problems"][0]["message"])

    def test_target_inside_the_child_without_glue_cannot_be_asked(self):
        r = self.check("noglue")
        self.assertEqual(self.codes(r), [("no_address", "ns1.noglue.example.test.", None)])
        self.assertEqual([t["ns"] for t in r["unreachable_targets"]], ["ns1.noglue.example.test."])
        s = self.server(r, CHILD_NSD)
        self.assertEqual(s["ns"], "ns2.good.example.test.")
        self.assertTrue(s["authoritative"])
        self.assertIn("glue", r["problems"][0]["message"])

    def test_glue_other_than_what_the_child_serves_is_glue_mismatch(self):
        r = self.check("wrongglue")
        self.assertFalse(r["ok"])
        self.assertEqual({p["code"] for p in r["problems"]}, {"glue_mismatch"})
        for p in r["problems"]:
            self.assertIn("ns1.wrongglue.example.test.", p["message"])
            self.assertIn("{%s}" % CHILD_NSD, p["message"])
            self.assertIn("{%s}" % ELSEWHERE, p["message"])

    def test_servers_outside_the_zone_are_found_through_the_resolver(self):
        r = self.check("ext")
        self.assertTrue(r["ok"], r)
        self.assertEqual(sorted((s["ns"], s["address"], s["source"]) for s in r["servers"]),
                         [("ns1.provider.test.", CHILD_KNOT, "resolver"),
                          ("ns2.provider.test.", CHILD_NSD, "resolver")])

    def test_silent_junk_and_absent_servers_are_per_server_results(self):
        cases = (("silent", "timeout", SILENT), ("broken", "bad_reply", BROKEN),
                 ("nobody", "unreachable", NOBODY))
        for label, code, address in cases:
            r = self.check(label)
            self.assertEqual(self.codes(r), [(code, "ns1.%s.example.test." % label, address)],
                             label)
            other = self.server(r, CHILD_NSD)
            self.assertTrue(other["authoritative"], other)
            self.assertEqual(other["problems"], [])
