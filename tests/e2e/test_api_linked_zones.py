"""End to end: linked child zones (POST /v1/zones with "delegate", default
true; migrations/0040_linked_child_zones.sql).

One stack (tests/e2e/update_server.py): PostgreSQL, `dnsapi serve` with its
DNS UPDATE listener, `dnsapi zonegen` feeding a real NSD that serves every
zone; a second NSD loads only the parent's master file as zonegen wrote it,
so that it answers for the child's names as the parent does (with a
referral). The parent linked.test. is made through the API; each test makes
its own child zones in the same account and checks, through the API (every
answer against openapi.yaml) and by asking the parent's NSD with dnspython
at its loopback address:

  - the parent holds the delegation at once: NS records equal to the
    child's apex NS set, system, managed_by the child; the parent's serial
    stepped exactly once, the child's is its first; NSD answers a referral;
  - the child's name servers changed (PUT .../nameservers with glue, the
    CLI) move the parent's NS set and glue in the same transaction, one
    parent serial step each time; NSD refers with the glue;
  - every direct edit of the kept records - record POST, PATCH, DELETE, a
    delete by match, batch, import, DNS UPDATE - is 403 system_record
    (UPDATE: REFUSED with the Extended DNS Error), with the parent's
    records, serial and audit trail unchanged; a DS at the cut is allowed;
  - deleting the child removes the delegation (one parent serial step) and
    NSD answers NXDOMAIN below it;
  - "delegate": false leaves the parent alone; a zone inside another
    account's zone is refused as before (409 zone_exists).
"""

import os
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import fleet  # noqa: E402
import harness  # noqa: E402
from update_server import NAMESERVERS, UpdateStack, ede_texts  # noqa: E402

import dns.flags  # noqa: E402
import dns.message  # noqa: E402
import dns.name  # noqa: E402
import dns.query  # noqa: E402
import dns.rcode  # noqa: E402
import dns.rdatatype  # noqa: E402
import dns.update  # noqa: E402

API_PORT = 18191
LISTEN_PORT = harness.tport(15471)
NSD_PORT = harness.tport(15472)
NSD_CONTROL_PORT = harness.tport(15473)
PARENT_NSD_PORT = harness.tport(15474)
PARENT_NSD_CONTROL_PORT = harness.tport(15475)
PARENT = "linked.test."
RECORDS = "/v1/zones/{zone}/records"
DS = "12345 13 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"


class ParentNsd(fleet.NsdPrimary):
    """NSD serving one zone from the master file zonegen writes for it,
    reloaded by serve()."""

    def __init__(self, port, control_port, zone_dir, zone):
        super().__init__(port, control_port, zone_dir)
        self.zone = zone

    def start(self):
        path = os.path.join(self.zone_dir, self.zone.rstrip(".") + ".zone")
        self._write("zones.conf", 'zone:\n    name: "%s"\n    zonefile: "%s"\n'
                    % (self.zone, path))
        return super().start()

    def serve(self, serial):
        """Reloads the zone until this NSD serves serial (bounded)."""
        def served():
            subprocess.run(["nsd-control", "-c", self.conf, "reload", self.zone],
                           capture_output=True, timeout=20)
            return fleet.soa_serial(self.port, self.zone, host=self.address) == serial
        fleet.wait_for("%s at serial %d on the parent's NSD" % (self.zone, serial), served,
                       60.0, interval=0.2, detail=self.log_tail)


class LinkedZonesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = UpdateStack("linked", API_PORT, LISTEN_PORT, NSD_PORT,
                                 NSD_CONTROL_PORT).start()
        cls.parent_nsd = None
        try:
            cls.key = cls.server.mint_key("linked-key.", zones=[PARENT])
            cls.server.create_zone(PARENT, [
                {"name": "www", "type": "A", "content": "192.0.2.1", "ttl": 300}])
            cls.parent_nsd = ParentNsd(PARENT_NSD_PORT, PARENT_NSD_CONTROL_PORT,
                                       cls.server.nsd.zone_dir, PARENT).start()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        if cls.parent_nsd is not None:
            cls.parent_nsd.remove()
            cls.parent_nsd = None
        cls.server.stop()

    # -- helpers -------------------------------------------------------------

    def api(self, method, path, template, body=None, expect=None, token=None, raw=None,
            headers=None):
        r = self.server.stack.request(method, path, token=token or self.server.token, body=body,
                                      raw=raw, headers=headers)
        harness.check_contract(self.server.spec, method, template, r)
        if expect is not None:
            self.assertEqual(r.status, expect, "%s %s: %r" % (method, path, r))
        return r

    def zpath(self, zone):
        return "/v1/zones/" + harness.q(zone)

    def create_child(self, name, **extra):
        body = {"name": name}
        body.update(extra)
        return self.api("POST", "/v1/zones", "/v1/zones", body=body, expect=201).data["zone"]

    def records(self, zone, name=None):
        """The zone's records (full objects), those at name and below it
        when name is given."""
        r = self.api("GET", self.zpath(zone) + "/records?limit=1000", RECORDS, expect=200)
        recs = r.data["records"]
        if name is not None:
            recs = [x for x in recs if x["name"] == name or x["name"].endswith("." + name)]
        return recs

    def kept(self, name, child_id):
        """The parent's records at and below name, as (type, name, content),
        each checked to be system and managed_by child_id (None: none
        expected to be kept)."""
        out = []
        for rec in self.records(PARENT, name):
            if rec["type"] == "DS":
                self.assertFalse(rec["system"], rec)
                self.assertIsNone(rec["managed_by"], rec)
                continue
            self.assertTrue(rec["system"], rec)
            self.assertEqual(rec["managed_by"], child_id, rec)
            out.append((rec["type"], rec["name"], rec["content"]))
        return sorted(out)

    def serial(self, zone):
        return self.server.serial(zone)

    def state(self):
        """Everything a refused edit could change in the parent."""
        return (sorted(repr(sorted(r.items())) for r in self.records(PARENT)),
                self.serial(PARENT), len(self.server.changes(PARENT)))

    def ask_nsd(self, name, rdtype):
        """The parent's NSD, at the parent's current serial, asked without
        recursion at its own loopback address."""
        self.parent_nsd.serve(self.server.wait_served(PARENT))
        q = dns.message.make_query(name, rdtype)
        q.flags &= ~dns.flags.RD
        return dns.query.udp(q, self.parent_nsd.address, port=self.parent_nsd.port, timeout=5)

    def referral(self, name, cut):
        """The parent's NSD's answer for name: a referral to cut; returns (NS
        targets, glue addresses)."""
        a = self.ask_nsd(name, "A")
        self.assertEqual(a.rcode(), dns.rcode.NOERROR, a)
        self.assertFalse(a.flags & dns.flags.AA, "a referral is not authoritative: %s" % a)
        self.assertEqual(a.answer, [], a)
        ns = [rr for rr in a.authority if rr.rdtype == dns.rdatatype.NS]
        self.assertEqual(len(ns), 1, a)
        self.assertEqual(ns[0].name, dns.name.from_text(cut), a)
        glue = sorted(rd.address for rr in a.additional
                      if rr.rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA) for rd in rr)
        return sorted(rd.target.to_text() for rd in ns[0]), glue

    # -- the delegation made and followed ------------------------------------

    def test_child_zone_is_delegated_in_the_parent_and_nsd_refers_to_it(self):
        before = self.serial(PARENT)
        n_changes = len(self.server.changes(PARENT))
        child = self.create_child("ref.linked.test")
        self.assertEqual(child["serial"] % 100, 1, child)  # its first serial: YYYYMMDD01
        self.assertEqual(self.kept("ref.linked.test.", child["id"]),
                         [("NS", "ref.linked.test.", n) for n in NAMESERVERS])
        self.assertEqual(self.serial(PARENT), before + 1)
        self.assertEqual(self.serial("ref.linked.test."), child["serial"])
        changes = self.server.changes(PARENT)[n_changes:]
        self.assertEqual(sorted((c["action"], c["type"], c["serial"]) for c in changes),
                         [("create", "NS", before + 1)] * 2)
        for c in changes:
            self.assertEqual(c["after"]["managed_by"], child["id"], c)
        # the delegation list says who keeps it
        r = self.api("GET", self.zpath(PARENT) + "/delegations/ref.linked.test.",
                     "/v1/zones/{zone}/delegations/{name}", expect=200)
        self.assertEqual(r.data["delegation"]["managed_by"], child["id"], r)
        self.assertEqual(self.referral("www.ref.linked.test.", "ref.linked.test."),
                         (sorted(NAMESERVERS), []))

    def test_nameserver_changes_move_the_delegation_and_its_glue(self):
        child = self.create_child("glue.linked.test")
        p, c = self.serial(PARENT), child["serial"]
        r = self.api("PUT", self.zpath("glue.linked.test") + "/nameservers",
                     "/v1/zones/{zone}/nameservers",
                     body={"nameservers": ["ns1.glue.linked.test", "ns2.dnsapi.test"],
                           "glue": [{"name": "ns1.glue.linked.test", "type": "A",
                                     "content": "192.0.2.53"}]}, expect=200)
        self.assertEqual(r.data["serial"], c + 1, r)
        self.assertEqual(self.serial("glue.linked.test."), c + 1)
        self.assertEqual(self.serial(PARENT), p + 1)
        self.assertEqual(self.kept("glue.linked.test.", child["id"]),
                         [("A", "ns1.glue.linked.test.", "192.0.2.53"),
                          ("NS", "glue.linked.test.", "ns1.glue.linked.test."),
                          ("NS", "glue.linked.test.", "ns2.dnsapi.test.")])
        self.assertEqual(self.referral("www.glue.linked.test.", "glue.linked.test."),
                         (["ns1.glue.linked.test.", "ns2.dnsapi.test."], ["192.0.2.53"]))

        # the glue follows the child's address
        a = [x for x in self.records("glue.linked.test.", "ns1.glue.linked.test.")
             if x["type"] == "A"][0]
        self.api("PATCH", self.zpath("glue.linked.test") + "/records/" + a["id"],
                 RECORDS + "/{id}", body={"content": "192.0.2.54"}, expect=200)
        self.assertEqual(self.serial(PARENT), p + 2)
        self.assertIn(("A", "ns1.glue.linked.test.", "192.0.2.54"),
                      self.kept("glue.linked.test.", child["id"]))

        # the CLI's name-server change too
        self.server.stack.cli("zone", "set-nameservers", "glue.linked.test", *NAMESERVERS)
        self.assertEqual(self.serial(PARENT), p + 3)
        self.assertEqual(self.kept("glue.linked.test.", child["id"]),
                         [("NS", "glue.linked.test.", n) for n in NAMESERVERS])
        self.assertEqual(self.referral("www.glue.linked.test.", "glue.linked.test."),
                         (sorted(NAMESERVERS), []))

    # -- direct edits refused ------------------------------------------------

    def test_direct_edits_of_the_delegation_are_refused_and_change_nothing(self):
        child = self.create_child("locked.linked.test")
        self.api("PUT", self.zpath("locked.linked.test") + "/nameservers",
                 "/v1/zones/{zone}/nameservers",
                 body={"nameservers": ["ns1.locked.linked.test", "ns2.dnsapi.test"],
                       "glue": [{"name": "ns1.locked.linked.test", "type": "A",
                                 "content": "192.0.2.60"}]}, expect=200)
        kept = [x for x in self.records(PARENT, "locked.linked.test.")]
        ns = [x for x in kept if x["type"] == "NS"][0]
        glue = [x for x in kept if x["type"] == "A"][0]
        self.assertEqual(ns["managed_by"], child["id"])
        before = self.state()
        zp = self.zpath(PARENT)

        def refused(r, what):
            self.assertEqual(r.status, 403, "%s: %r" % (what, r))
            self.assertEqual(r.error_code, "system_record", "%s: %r" % (what, r))
            self.assertEqual(self.state(), before, "%s changed the parent" % what)

        refused(self.api("POST", zp + "/records", RECORDS,
                         body={"name": "locked", "type": "NS", "content": "ns.evil.test"}),
                "a new NS at the cut")
        refused(self.api("POST", zp + "/records", RECORDS,
                         body={"name": "ns1.locked", "type": "A", "content": "192.0.2.66"}),
                "a new address at a glue name")
        refused(self.api("PATCH", zp + "/records/" + ns["id"], RECORDS + "/{id}",
                         body={"ttl": 600}), "a PATCH of a kept NS")
        refused(self.api("PATCH", zp + "/records/" + glue["id"], RECORDS + "/{id}",
                         body={"content": "192.0.2.66"}), "a PATCH of kept glue")
        refused(self.api("DELETE", zp + "/records/" + ns["id"], RECORDS + "/{id}"),
                "a DELETE of a kept NS")
        refused(self.api("DELETE", zp + "/records?name=locked&type=NS&all=true", RECORDS),
                "a DELETE by match")
        refused(self.api("POST", zp + "/records/batch", RECORDS + "/batch",
                         body={"deletes": [{"id": glue["id"]}],
                               "posts": [{"name": "www2", "type": "A",
                                          "content": "192.0.2.2"}]}),
                "a batch deleting kept glue")
        refused(self.api("POST", zp + "/records/batch", RECORDS + "/batch",
                         body={"posts": [{"name": "locked", "type": "NS",
                                          "content": "ns.evil.test"}]}),
                "a batch adding an NS at the cut")
        refused(self.api("POST", zp + "/import", "/v1/zones/{zone}/import",
                         raw=b"locked.linked.test. 86400 IN NS ns.evil.test.\n",
                         headers={"Content-Type": "text/dns"}),
                "an import adding an NS at the cut")
        for what, change in (("an UPDATE deleting the NS set at the cut",
                              lambda u: u.delete("locked.linked.test.", "NS")),
                             ("an UPDATE adding an NS at the cut",
                              lambda u: u.add("locked.linked.test.", 86400, "NS",
                                              "ns.evil.test.")),
                             ("an UPDATE replacing the glue",
                              lambda u: u.replace("ns1.locked.linked.test.", 300, "A",
                                                  "192.0.2.66"))):
            u = dns.update.UpdateMessage(PARENT, keyring=self.key.keyring(),
                                         keyname=self.key.name,
                                         keyalgorithm=dns.name.from_text(self.key.algorithm))
            u.use_edns(0)
            change(u)
            a = dns.query.tcp(u, "127.0.0.1", port=LISTEN_PORT, timeout=10)
            self.assertEqual(a.rcode(), dns.rcode.REFUSED, "%s: %s" % (what, a))
            self.assertTrue(any(t.startswith("system_record:") for t in ede_texts(a)),
                            "%s: %s" % (what, a.options))
            self.assertEqual(self.state(), before, "%s changed the parent" % what)

        # DS at the cut is the account's (DNSSEC)
        r = self.api("POST", zp + "/records", RECORDS,
                     body={"name": "locked", "type": "DS", "content": DS}, expect=201)
        self.assertFalse(r.data["record"]["system"])
        self.assertIsNone(r.data["record"]["managed_by"])
        self.assertEqual(self.serial(PARENT), before[1] + 1)

    # -- deletion, the flag, other accounts ----------------------------------

    def test_child_deletion_removes_the_delegation(self):
        child = self.create_child("gone.linked.test")
        self.assertEqual(len(self.kept("gone.linked.test.", child["id"])), 2)
        self.referral("www.gone.linked.test.", "gone.linked.test.")
        p = self.serial(PARENT)
        self.api("DELETE", self.zpath("gone.linked.test"), "/v1/zones/{zone}", expect=200)
        self.assertEqual(self.records(PARENT, "gone.linked.test."), [])
        self.assertEqual(self.serial(PARENT), p + 1)
        a = self.ask_nsd("www.gone.linked.test.", "A")
        self.assertEqual(a.rcode(), dns.rcode.NXDOMAIN, a)
        self.assertTrue(a.flags & dns.flags.AA, a)

    def test_delegate_false_leaves_the_parent_alone(self):
        before = self.state()
        r = self.api("POST", "/v1/zones", "/v1/zones",
                     body={"name": "bad.linked.test", "delegate": "yes"})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.error_code, "validation_failed", r)
        self.assertIn("wrong_type", r.detail_codes(), r)
        self.api("GET", self.zpath("bad.linked.test"), "/v1/zones/{zone}", expect=404)
        self.create_child("free.linked.test", delegate=False)
        self.assertEqual(self.state(), before)
        self.assertEqual(self.records(PARENT, "free.linked.test."), [])
        # and it stays so when the child's name servers change
        self.server.stack.cli("zone", "set-nameservers", "free.linked.test", "ns1.dnsapi.test",
                              "ns3.dnsapi.test")
        self.assertEqual(self.state(), before)

    def test_token_limited_to_the_child_cannot_write_the_parent_this_way(self):
        limited = self.server.stack.token(zones=["limited.linked.test"])
        before = self.state()
        r = self.api("POST", "/v1/zones", "/v1/zones", body={"name": "limited.linked.test"},
                     token=limited)
        self.assertEqual(r.status, 403, r)
        self.assertEqual(r.error_code, "insufficient_scope", r)
        self.assertIn("delegate", r.error["message"], r)
        self.api("GET", self.zpath("limited.linked.test"), "/v1/zones/{zone}", expect=404)
        self.assertEqual(self.state(), before)
        self.api("POST", "/v1/zones", "/v1/zones",
                 body={"name": "limited.linked.test", "delegate": False}, token=limited,
                 expect=201)
        self.assertEqual(self.state(), before)

    def test_cname_where_the_delegation_would_go_refuses_the_child(self):
        self.api("POST", self.zpath(PARENT) + "/records", RECORDS,
                 body={"name": "alias", "type": "CNAME", "content": "elsewhere.test"}, expect=201)
        before = self.state()
        r = self.api("POST", "/v1/zones", "/v1/zones", body={"name": "alias.linked.test"})
        self.assertEqual(r.status, 409, r)
        self.assertEqual(r.error_code, "cname_conflict", r)
        self.assertIn("delegate", r.error["message"], r)
        self.api("GET", self.zpath("alias.linked.test"), "/v1/zones/{zone}", expect=404)
        self.assertEqual(self.state(), before)

    def test_zone_inside_another_accounts_zone_is_refused_as_before(self):
        self.server.stack.account("linked-other")
        other = self.server.stack.token(account="linked-other")
        before = self.state()
        r = self.api("POST", "/v1/zones", "/v1/zones", body={"name": "x.linked.test"},
                     token=other)
        self.assertEqual(r.status, 409, r)
        self.assertEqual(r.error_code, "zone_exists", r)
        self.assertEqual(self.state(), before)
        # a zone of its own elsewhere is no one's child
        self.api("POST", "/v1/zones", "/v1/zones", body={"name": "other-linked.test"},
                 token=other, expect=201)
        self.assertEqual(self.state(), before)


if __name__ == "__main__":
    unittest.main(verbosity=2)
