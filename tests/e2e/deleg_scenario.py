"""The delegation scenario of the live-check tests: example.test. and its
children, served by a dnsfleet.Fleet on port 53 of 127.0.0.30-38.

tests/e2e/test_deleg_live.py drives the probe through it; the HTTP
delegation endpoints will reuse it (the parent zone's records are the ones a
script would create through the API, Scenario.parent_records).
"""

import json

from dnsfleet import zone_text

ROOT = "127.0.0.30"      # NSD: "." and "test."
PARENT = "127.0.0.31"    # NSD: example.test. (the zone dnsapi would hold)
CHILD_KNOT = "127.0.0.32"
CHILD_NSD = "127.0.0.33"
PROVIDER = "127.0.0.35"  # NSD: provider.test. (name servers outside the zone)
NOBODY = "127.0.0.36"    # nothing listens
SILENT = "127.0.0.37"    # reads, never answers
BROKEN = "127.0.0.38"    # answers junk with the query's id
ZONE = "example.test."
PARENT_SERIAL = 2024010101


class Scenario:
    """The delegations of example.test., each with the case it shows:

      good       two servers (Knot, NSD) with glue, serving the same zone
      lame       the Knot server does not serve the child (REFUSED)
      mismatch   the child's apex NS set is {ns1, ns3}, the delegation {ns1, ns2}
      stale      the NSD server serves serial 1, Knot serial 2
      noglue     ns1.noglue has no glue; ns2 is a sibling (good's server)
      wrongglue  glue 127.0.0.33 for ns1.wrongglue; the child says 127.0.0.34
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
                           extra=[("ns1", 3600, "A", "127.0.0.34")])
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
