"""End-to-end: changing a zone's name servers (PUT /v1/zones/{zone}/nameservers
and `dnsapi zone set-nameservers`), the publication fields of the zone
object (servers, status, error, published_serial) before zonegen has run,
and the tree rule at zone creation.

Every error path checks the HTTP status, the error code and that nothing
changed (serial, records, name servers, audit trail).
"""

import json
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ApiTestCase, ZoneHelpers  # noqa: E402

SYS_NS = ["ns1.dnsapi.test.", "ns2.dnsapi.test."]
NS_PATH = "/v1/zones/{zone}/nameservers"


class NameserversTest(ZoneHelpers, ApiTestCase):
    STACK_NAME = "nameservers"
    STACK_PORT = 18154

    # -- helpers -------------------------------------------------------------

    def put_ns(self, zone, body, expect=None, token=None, headers=None, raw=None):
        kw = {}
        if token is not None:
            kw["token"] = token
        if raw is not None:
            kw["raw"] = raw
        return self.call("PUT", self.zone_path(zone) + "/nameservers", NS_PATH, body=body,
                         expect=expect, headers=headers, **kw)

    def apex_ns(self, zone):
        recs = self.list_records(zone, name="@", type="NS")
        return sorted(r["content"] for r in recs), all(r["system"] for r in recs)

    def soa_mname(self, zone):
        recs = self.list_records(zone, name="@", type="SOA")
        return recs[0]["content"].split()[0]

    def state(self, zone):
        """Everything a name-server change could touch."""
        s = self.snapshot(zone)
        z = self.get_zone(zone)
        s["nameservers"] = z["nameservers"]
        s["changes"] = self.call("GET", self.zone_path(zone) + "/changes",
                                 "/v1/zones/{zone}/changes", expect=200).data["pagination"]["total"]
        return s

    def assertNothingChanged(self, zone, before, what=""):
        after = self.state(zone)
        self.assertUnchanged(zone, before, what)
        self.assertEqual(before["nameservers"], after["nameservers"], what)
        self.assertEqual(before["changes"], after["changes"], "audit trail grew %s" % what)

    # -- the zone object -----------------------------------------------------

    def test_zone_object_has_publication_fields(self):
        r = self.call("POST", "/v1/zones", "/v1/zones", body={"name": "pub.ns.example"}, expect=201)
        z = r.data["zone"]
        self.assertEqual(z["status"], "pending")
        self.assertEqual(z["servers"], [])
        self.assertIsNone(z["error"])
        self.assertIsNone(z["published_serial"])
        got = self.get_zone("pub.ns.example")
        for k in ("status", "servers", "error", "published_serial"):
            self.assertEqual(got[k], z[k], k)
        r = self.call("GET", "/v1/zones?name=pub.ns.example", "/v1/zones", expect=200)
        self.assertEqual([x["name"] for x in r.data["zones"]], ["pub.ns.example."])
        self.assertEqual(r.data["zones"][0]["servers"], [])
        # What zonegen records (per server rows) is what the API shows: one
        # server keeps failing, another is in sync.
        zid = z["id"]
        self.stack.sql(
            "INSERT INTO zone_servers (zone_id, account_id, name, address, role, serial, in_sync,"
            " checked_at, error, failures) SELECT id, account_id, 'ns9.dnsapi.test.',"
            " '127.0.0.1:9', 'secondary', NULL, false, now(),"
            " 'SOA check: nothing listens on 127.0.0.1:9', 3 FROM zones WHERE id = '%s';"
            " INSERT INTO zone_servers (zone_id, account_id, name, address, role, serial, in_sync,"
            " checked_at, error, failures) SELECT id, account_id, '127.0.0.1:53', '127.0.0.1:53',"
            " 'primary', serial, true, now(), NULL, 0 FROM zones WHERE id = '%s'" % (zid, zid))
        got = self.get_zone(zid)
        self.assertEqual(got["status"], "failing")
        self.assertEqual(got["error"], "ns9.dnsapi.test. (127.0.0.1:9): SOA check: nothing "
                                       "listens on 127.0.0.1:9")
        self.assertEqual([s["name"] for s in got["servers"]], ["127.0.0.1:53", "ns9.dnsapi.test."])
        primary, ns9 = got["servers"]
        self.assertEqual(primary["serial"], got["serial"])
        self.assertTrue(primary["in_sync"])
        self.assertIsNone(primary["error"])
        self.assertIsNone(ns9["serial"])
        self.assertFalse(ns9["in_sync"])
        self.assertRegex(ns9["checked_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        r = self.call("GET", "/v1/zones?name=pub.ns.example", "/v1/zones", expect=200)
        self.assertEqual(r.data["zones"][0], got)

    def test_zone_inside_another_accounts_zone_is_refused(self):
        self.create_zone("tree.ns.example")
        self.stack.account("other")
        other = self.stack.token(account="other")
        n = self.stack.sql("SELECT count(*) FROM zones")
        for name in ("sub.tree.ns.example", "deep.sub.tree.ns.example", "ns.example"):
            with self.subTest(name=name):
                r = self.call("POST", "/v1/zones", "/v1/zones", token=other, body={"name": name})
                self.assertError(r, 409, "zone_exists")
        self.assertEqual(self.stack.sql("SELECT count(*) FROM zones"), n)
        # a sibling that only shares a suffix of characters is not inside
        z = self.create_zone("xtree.ns.example", token=other)
        self.assertEqual(z["name"], "xtree.ns.example.")

    # -- changing the name servers ----------------------------------------------

    def test_replace_nameservers(self):
        zone = "change.ns.example."
        z = self.create_zone(zone)
        changes_before = self.state(zone)["changes"]
        r = self.put_ns(zone, {"nameservers": ["NS-a.Provider.example", "ns-b.other.example."]},
                        expect=200)
        d = r.data
        self.assertEqual(d["message"], "Name servers changed successfully")
        self.assertEqual(d["nameservers"], ["ns-a.provider.example.", "ns-b.other.example."])
        self.assertTrue(d["changed"])
        self.assertEqual(d["serial"], z["serial"] + 1, "one serial step")
        got = self.get_zone(zone)
        self.assertEqual(got["serial"], z["serial"] + 1)
        self.assertEqual(got["nameservers"], ["ns-a.provider.example.", "ns-b.other.example."])
        self.assertEqual(self.apex_ns(zone), (["ns-a.provider.example.", "ns-b.other.example."],
                                              True))
        self.assertEqual(self.soa_mname(zone), "ns-a.provider.example.")
        # the audit trail: the old set out, the new set in, the SOA's MNAME,
        # all at the one new serial
        r = self.call("GET", self.zone_path(zone) + "/changes", "/v1/zones/{zone}/changes",
                      expect=200)
        new = r.data["changes"][changes_before:]
        self.assertEqual({c["serial"] for c in new}, {z["serial"] + 1})
        self.assertEqual(sorted((c["action"], c["type"]) for c in new),
                         [("create", "NS"), ("create", "NS"), ("delete", "NS"), ("delete", "NS"),
                          ("update", "SOA")])
        # the same set again: nothing to do, no serial step
        r = self.put_ns(zone, {"nameservers": ["ns-a.provider.example.", "ns-b.other.example"]},
                        expect=200)
        self.assertFalse(r.data["changed"])
        self.assertEqual(r.data["serial"], z["serial"] + 1)
        self.assertEqual(self.get_zone(zone)["serial"], z["serial"] + 1)
        # the same names in another order: the first (the MNAME) changes
        r = self.put_ns(zone, {"nameservers": ["ns-b.other.example", "ns-a.provider.example"]},
                        expect=200)
        self.assertTrue(r.data["changed"])
        self.assertEqual(self.soa_mname(zone), "ns-b.other.example.")
        self.assertEqual(self.get_zone(zone)["nameservers"],
                         ["ns-b.other.example.", "ns-a.provider.example."])
        # the record endpoints still refuse the apex NS set
        recs = self.list_records(zone, name="@", type="NS")
        r = self.create_record(zone, {"name": "@", "type": "NS", "content": "ns-c.example."},
                               expect=None)
        self.assertError(r, 403, "system_record")
        r = self.call("DELETE", self.zone_path(zone) + "/records/" + recs[0]["id"],
                      "/v1/zones/{zone}/records/{id}")
        self.assertError(r, 403, "system_record")

    def test_nameservers_inside_the_zone_need_glue(self):
        zone = "glue.ns.example."
        self.create_zone(zone)
        before = self.state(zone)
        r = self.put_ns(zone, {"nameservers": ["ns1.glue.ns.example", "ns2.elsewhere.example"]})
        self.assertError(r, 422, "validation_failed", "missing_glue")
        self.assertNothingChanged(zone, before, "missing glue")
        r = self.put_ns(zone, {"nameservers": ["ns1.glue.ns.example", "ns2.elsewhere.example"],
                               "glue": [{"name": "ns1", "type": "A", "content": "192.0.2.53"}]},
                        expect=200)
        self.assertEqual(r.data["serial"], before["serial"] + 1)
        a = self.list_records(zone, name="ns1", type="A")
        self.assertEqual([x["content"] for x in a], ["192.0.2.53"])
        self.assertEqual(self.apex_ns(zone)[0], ["ns1.glue.ns.example.", "ns2.elsewhere.example."])
        # glue that is already in the zone is enough
        self.create_record(zone, {"name": "ns3", "type": "AAAA", "content": "2001:db8::53"})
        self.put_ns(zone, {"nameservers": ["ns3.glue.ns.example", "ns1.glue.ns.example"]},
                    expect=200)

    def test_error_paths_change_nothing(self):
        zone = "errors.ns.example."
        self.create_zone(zone)
        self.create_record(zone, {"name": "alias", "type": "CNAME", "content": "host.other.example."})
        before = self.state(zone)
        cases = [
            ({"nameservers": ["ns1.only.example"]}, 422, "validation_failed", "too_few_nameservers",
             "nameservers"),
            ({"nameservers": []}, 422, "validation_failed", "too_few_nameservers", "nameservers"),
            ({"nameservers": ["192.0.2.1", "ns2.other.example"]}, 422, "validation_failed",
             "bad_rdata", "nameservers[0]"),
            ({"nameservers": ["ns1.other.example", "2001:db8::1"]}, 422, "validation_failed",
             "bad_rdata", "nameservers[1]"),
            ({"nameservers": ["ns1", "ns2.other.example"]}, 422, "validation_failed", None,
             "nameservers[0]"),
            ({"nameservers": ["alias.errors.ns.example", "ns2.other.example"]}, 422,
             "validation_failed", "ns_target_is_cname", None),
            ({"nameservers": ["ns1.other.example", "NS1.other.example."]}, 409, "duplicate", None,
             None),
            ({}, 422, "validation_failed", "missing_field", "nameservers"),
            ({"nameservers": "ns1.other.example"}, 422, "validation_failed", "wrong_type",
             "nameservers"),
            ({"nameservers": ["ns1.other.example", 7]}, 422, "validation_failed", "wrong_type",
             "nameservers"),
            ({"nameservers": ["ns%d.other.example" % i for i in range(14)]}, 422,
             "validation_failed", "too_long", "nameservers"),
            ({"nameservers": ["ns1.other.example", "ns2.other.example"], "extra": 1}, 422,
             "validation_failed", "unknown_field", None),
            ({"nameservers": ["ns1.errors.ns.example", "ns2.other.example"],
              "glue": [{"name": "ns1", "type": "TXT", "content": "x"}]}, 422, "validation_failed",
             "bad_glue", None),
            ({"nameservers": ["ns1.errors.ns.example", "ns2.other.example"],
              "glue": [{"name": "ns1.elsewhere.example.", "type": "A", "content": "192.0.2.1"}]},
             422, "validation_failed", "name_outside_zone", None),
            ({"nameservers": ["ns1.errors.ns.example", "ns2.other.example"], "glue": "x"}, 422,
             "validation_failed", "wrong_type", "glue"),
        ]
        for body, status, code, detail, field in cases:
            with self.subTest(body=body):
                r = self.put_ns(zone, body)
                self.assertError(r, status, code, detail, field)
                self.assertNothingChanged(zone, before, repr(body))
        # not JSON, not an object
        for raw in (b"{not json", b"[1, 2]"):
            with self.subTest(raw=raw):
                r = self.call("PUT", self.zone_path(zone) + "/nameservers", NS_PATH, raw=raw,
                              headers={"Content-Type": "application/json"})
                self.assertError(r, 400, "bad_request")
        # another media type
        r = self.call("PUT", self.zone_path(zone) + "/nameservers", NS_PATH,
                      raw=b'{"nameservers": ["a.example", "b.example"]}',
                      headers={"Content-Type": "text/plain"})
        self.assertError(r, 415, "unsupported_media_type")
        # without zones:write; without a token; another account's zone; no such zone
        good = {"nameservers": ["ns1.other.example", "ns2.other.example"]}
        reader = self.stack.token(scopes="zones:read records:read records:write")
        self.assertError(self.put_ns(zone, good, token=reader), 403, "insufficient_scope")
        r = self.call("PUT", self.zone_path(zone) + "/nameservers", NS_PATH, token=None, body=good)
        self.assertError(r, 401, "unauthorized")
        self.stack.account("stranger")
        stranger = self.stack.token(account="stranger")
        self.assertError(self.put_ns(zone, good, token=stranger), 404, "not_found")
        self.assertError(self.put_ns("nope.ns.example", good), 404, "not_found")
        limited = self.stack.token(zones=["other.ns.example"])
        self.assertError(self.put_ns(zone, good, token=limited), 404, "not_found")
        self.assertNothingChanged(zone, before, "after the refused credentials")
        # the database refuses a plain write of the apex NS set whatever the API does
        with self.assertRaises(RuntimeError):
            self.stack.sql("DELETE FROM records r USING zones z WHERE z.id = r.zone_id AND "
                           "z.name = '%s' AND r.type = 'NS' AND r.name = z.name" % zone)
        self.assertNothingChanged(zone, before, "after a plain SQL delete")

    def test_idempotency_key(self):
        zone = "idem.ns.example."
        z = self.create_zone(zone)
        body = {"nameservers": ["ns1.idem.example", "ns2.idem.example"]}
        h = {"Idempotency-Key": "ns-change-1"}
        first = self.put_ns(zone, body, headers=h, expect=200)
        again = self.put_ns(zone, body, headers=h, expect=200)
        self.assertEqual(again.json, first.json)
        self.assertEqual(again.headers.get("Idempotent-Replayed"), "true")
        self.assertEqual(self.get_zone(zone)["serial"], z["serial"] + 1, "replayed, not applied")
        before = self.state(zone)
        r = self.put_ns(zone, {"nameservers": ["ns3.idem.example", "ns4.idem.example"]}, headers=h)
        self.assertError(r, 422, "validation_failed", field="Idempotency-Key")
        self.assertNothingChanged(zone, before, "key reused")

    # -- the command line ----------------------------------------------------------

    def cli_run(self, *args):
        return subprocess.run([self.stack.binary] + list(args), env=self.stack.base_env(),
                              capture_output=True, text=True, timeout=60)

    def test_cli_set_nameservers(self):
        zone = "cli.ns.example."
        z = self.create_zone(zone)
        p = self.cli_run("zone", "set-nameservers", "cli.ns.example", "ns1.cli.example",
                         "ns2.cli.example.")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("ns1.cli.example. ns2.cli.example.", p.stdout)
        got = self.get_zone(zone)
        self.assertEqual(got["serial"], z["serial"] + 1)
        self.assertEqual(got["nameservers"], ["ns1.cli.example.", "ns2.cli.example."])
        self.assertEqual(self.apex_ns(zone), (["ns1.cli.example.", "ns2.cli.example."], True))
        self.assertEqual(self.soa_mname(zone), "ns1.cli.example.")
        # the same rules as the API, and nothing changed on a refusal
        before = self.state(zone)
        for args, words in ((["ns1.cli.example"], "at least 2 name servers"),
                            (["192.0.2.1", "ns2.cli.example"], "not by an address"),
                            (["ns1.cli.ns.example", "ns2.cli.example"], "glue")):
            with self.subTest(args=args):
                p = self.cli_run("zone", "set-nameservers", zone, *args)
                self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
                self.assertIn(words, p.stderr)
                self.assertNothingChanged(zone, before, repr(args))
        p = self.cli_run("zone", "set-nameservers", "nope.cli.example", "a.example", "b.example")
        self.assertEqual(p.returncode, 1)
        self.assertIn("not found", p.stderr)
        p = self.cli_run("zone", "set-nameservers", zone)
        self.assertEqual(p.returncode, 2, "usage")
        # unchanged set: exit 0, no serial step
        p = self.cli_run("zone", "set-nameservers", zone, "ns1.cli.example", "ns2.cli.example")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.get_zone(zone)["serial"], z["serial"] + 1)

    def test_cli_set_nameservers_all(self):
        zones = ["all%d.ns.example." % i for i in range(3)]
        serials = {z: self.create_zone(z)["serial"] for z in zones}
        self.put_ns(zones[1], {"nameservers": ["ns1.moved.example", "ns2.moved.example"]},
                    expect=200)
        serials[zones[1]] += 1
        p = self.cli_run("zone", "set-nameservers", "--all")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stderr, r"set-nameservers --all: \d+ zones done \(\d+ changed, 0 refused\)")
        for z in zones:
            got = self.get_zone(z)
            self.assertEqual(got["nameservers"], SYS_NS, z)
            self.assertEqual(self.apex_ns(z), (SYS_NS, True), z)
            want = serials[z] + (1 if z == zones[1] else 0)
            self.assertEqual(got["serial"], want, "%s: a step only where something changed" % z)
        self.assertIn("%s\t%s\tserial %d\n" % (zones[1], " ".join(SYS_NS), serials[zones[1]] + 1),
                      p.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
