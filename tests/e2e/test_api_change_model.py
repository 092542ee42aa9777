"""End-to-end: one change model under every way in. The same rules answer
the same way through a single write, a batch and an import (also at a name
holding 2,000 records); system records are refused whatever a PATCH asks; a
change that changes nothing writes nothing; errors say which record they
mean; hostile content is refused with 422, never 500."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ApiTestCase, ZoneHelpers  # noqa: E402

Z = "model.test"
REC = "/v1/zones/{zone}/records"
BATCH = "/v1/zones/{zone}/records/batch"
IMPORT = "/v1/zones/{zone}/import"


class ChangeModelTest(ZoneHelpers, ApiTestCase):
    STACK_NAME = "change_model"
    STACK_PORT = 18117

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stack.request("POST", "/v1/zones", token=cls.token, body={"name": Z})

    def post(self, body, zone=Z):
        return self.call("POST", "/v1/zones/%s/records" % zone, REC, body=body)

    def batch(self, body, zone=Z, query=""):
        return self.call("POST", "/v1/zones/%s/records/batch%s" % (zone, query), BATCH, body=body)

    def imp(self, text, zone=Z, query=""):
        return self.call("POST", "/v1/zones/%s/import%s" % (zone, query), IMPORT, raw=text.encode(),
                         headers={"Content-Type": "text/dns"})

    def changes_count(self):
        return int(self.stack.sql("SELECT count(*) FROM changes c JOIN zones z ON z.id = c.zone_id "
                                  "WHERE z.name = '%s.'" % Z))

    def patch(self, rid, body):
        return self.call("PATCH", "/v1/zones/%s/records/%s" % (Z, rid), "/v1/zones/{zone}/records/{id}",
                         body=body)

    def system(self, type_):
        return [x for x in self.list_records(Z, type=type_) if x["system"]]

    # ---- system records ----

    def test_patch_of_a_system_record_is_refused_whatever_it_asks(self):
        before = self.snapshot(Z)
        ns, soa = self.system("NS")[0], self.system("SOA")[0]
        for rec, body in ((ns, {"name": "moved"}), (ns, {"type": "A"}), (ns, {"ttl": "abc"}),
                          (ns, {"content": "ns9.example.net"}), (soa, {"name": "x", "bogus": 1}),
                          (soa, {}), (soa, {"ttl": 300})):
            with self.subTest(rec=rec["type"], body=body):
                r = self.patch(rec["id"], body)
                if "ttl" in body and not isinstance(body["ttl"], int):
                    # a body that is not even well-typed is refused as such first
                    self.assertError(r, 422, "validation_failed", "wrong_type")
                else:
                    self.assertError(r, 403, "system_record")
        self.assertUnchanged(Z, before)

    def test_ordinary_patch_still_refuses_immutable_and_unknown_fields(self):
        rid = self.post({"name": "imm", "type": "A", "content": "192.0.2.1"}).data["record"]["id"]
        before = self.snapshot(Z)
        self.assertError(self.patch(rid, {"name": "moved"}), 422, "validation_failed", "immutable_field", "name")
        self.assertError(self.patch(rid, {"bogus": 1}), 422, "validation_failed", "unknown_field")
        self.assertUnchanged(Z, before)

    # ---- nothing changes, nothing is written ----

    def test_patch_that_changes_nothing_writes_nothing(self):
        rec = self.post({"name": "same", "type": "A", "content": "192.0.2.2", "ttl": 300}).data["record"]
        s0, c0 = self.get_zone(Z)["serial"], self.changes_count()
        for body in ({}, {"ttl": 300}, {"content": "192.0.2.2", "disabled": False}):
            with self.subTest(body=body):
                r = self.patch(rec["id"], body)
                self.assertEqual(r.status, 200, repr(r))
                self.assertEqual(r.data["serial"], s0)
                self.assertEqual(r.data["record"]["updated_at"], rec["updated_at"])
        self.assertEqual(self.get_zone(Z)["serial"], s0, "no serial step")
        self.assertEqual(self.changes_count(), c0, "no audit entry")
        r = self.patch(rec["id"], {"ttl": 600})
        self.assertEqual(r.data["serial"], s0 + 1, "a real change still writes")

    # ---- rules and errors ----

    def test_duplicate_names_the_record_already_there(self):
        first = self.post({"name": "dup", "type": "A", "content": "192.0.2.3"}).data["record"]
        before = self.snapshot(Z)
        r = self.post({"name": "dup", "type": "A", "content": "192.0.2.3"})
        self.assertError(r, 409, "duplicate")
        self.assertEqual(r.error["details"][0]["existing_id"], first["id"])
        self.assertNotIn("..", r.error["message"])
        self.assertIn("dup.%s." % Z, r.error["message"])
        r = self.batch({"posts": [{"name": "dup", "type": "A", "content": "192.0.2.3"}]})
        self.assertError(r, 409, "duplicate")
        self.assertEqual(r.error["details"][0]["existing_id"], first["id"])
        self.assertUnchanged(Z, before)

    def test_ns_content_that_is_an_address_is_refused(self):
        before = self.snapshot(Z)
        for content in ("192.0.2.1", "192.0.2.1.", "2001:db8::1"):
            with self.subTest(content=content):
                r = self.post({"name": "deleg", "type": "NS", "content": content})
                self.assertError(r, 422, "validation_failed", "bad_rdata", "content")
                self.assertIn("host name", r.error["message"])
        r = self.batch({"posts": [{"name": "deleg", "type": "NS", "content": "192.0.2.1"}]})
        self.assertError(r, 422, "validation_failed", "bad_rdata", "posts[0].content")
        r = self.imp("deleg 3600 IN NS 192.0.2.1.\n")
        self.assertError(r, 422, "validation_failed", "bad_rdata")
        self.assertUnchanged(Z, before)

    def test_ns_at_a_wildcard_is_refused(self):
        before = self.snapshot(Z)
        r = self.post({"name": "*.lab", "type": "NS", "content": "ns1.example.net"})
        self.assertError(r, 422, "validation_failed", "bad_wildcard", "name")
        r = self.imp("*.lab 3600 IN NS ns1.example.net.\n")
        self.assertError(r, 422, "validation_failed", "bad_wildcard")
        self.assertUnchanged(Z, before)

    def test_ds_at_the_apex_is_refused(self):
        before = self.snapshot(Z)
        ds = "12345 13 2 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE1A0D46A7A3C6E8A9B5B4AF0D"
        r = self.post({"name": "@", "type": "DS", "content": ds})
        self.assertError(r, 422, "validation_failed", "ds_at_apex")
        self.assertUnchanged(Z, before)
        self.post({"name": "child", "type": "DS", "content": ds}).data["record"]

    def test_huge_content_is_422_not_500(self):
        before = self.snapshot(Z)
        for content in ("a" * 200000, "a" * 66000, '"' + "b" * 250 + '" ' * 400):
            with self.subTest(length=len(content)):
                r = self.post({"name": "huge", "type": "TXT", "content": content})
                self.assertError(r, 422, "validation_failed", "bad_rdata", "content")
        self.assertUnchanged(Z, before)

    def test_omitted_ttl_joins_the_rrset_and_mismatch_says_the_ttl(self):
        self.post({"name": "acme", "type": "TXT", "content": "one", "ttl": 120})
        r = self.post({"name": "acme", "type": "TXT", "content": "two"})
        self.assertEqual(r.status, 201, repr(r))
        self.assertEqual(r.data["record"]["ttl"], 120)
        r = self.post({"name": "acme", "type": "TXT", "content": "three", "ttl": 300})
        self.assertError(r, 422, "validation_failed", "ttl_mismatch", "ttl")
        self.assertEqual(r.error["details"][0]["expected_ttl"], 120)

    # ---- a name with 2,000 records, three ways in ----

    def test_a_name_with_2000_records_is_judged_the_same_every_way(self):
        zone = "big-model.test"
        self.create_zone(zone)
        text = "".join('big 300 IN TXT "value %d"\n' % i for i in range(2000))
        r = self.imp(text, zone=zone)
        self.assertEqual(r.status, 200, repr(r))
        self.assertEqual(r.data["added"], 2000)
        before = self.snapshot(zone)
        cname = {"name": "big", "type": "CNAME", "content": "elsewhere.example.net"}
        dup = {"name": "big", "type": "TXT", "content": "value 1999", "ttl": 300}
        ttl = {"name": "big", "type": "TXT", "content": "value 2000", "ttl": 600}
        for body, status, code, detail in ((cname, 409, "cname_conflict", None),
                                           (dup, 409, "duplicate", None),
                                           (ttl, 422, "validation_failed", "ttl_mismatch")):
            with self.subTest(body=body):
                self.assertError(self.post(body, zone=zone), status, code, detail)
                self.assertError(self.batch({"posts": [body]}, zone=zone), status, code, detail)
                line = "big %d IN %s %s\n" % (body["ttl"] if "ttl" in body else 300, body["type"],
                                               '"%s"' % body["content"] if body["type"] == "TXT"
                                               else body["content"] + ".")
                r = self.imp(line, zone=zone)
                if code == "duplicate":
                    # an import merges: the record it already has is unchanged
                    self.assertEqual((r.status, r.data["unchanged"], r.data["added"]), (200, 1, 0))
                else:
                    self.assertError(r, status, code, detail)
        self.assertUnchanged(zone, before)
        # ...and what is right is right every way
        ok = self.post({"name": "big", "type": "TXT", "content": "value 2000"}, zone=zone)
        self.assertEqual((ok.status, ok.data["record"]["ttl"]), (201, 300))

    # ---- concurrent writes: each judged on the zone as the other left it ----

    def race(self, requests):
        """Sends the requests (method, path, body) at once, each from its own
        connection, released together; returns the answers in order."""
        import threading
        gate = threading.Barrier(len(requests))
        out = [None] * len(requests)

        def one(i, method, path, body):
            gate.wait(timeout=30)
            out[i] = self.stack.request(method, path, token=self.token, body=body)

        threads = [threading.Thread(target=one, args=(i,) + req) for i, req in enumerate(requests)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        return out

    def test_racing_cname_and_address_at_one_name_one_wins(self):
        # Two writes at one name at the same moment: the rules must see the
        # one that lands first (the zone's lock orders them, and the second
        # reads the name once it holds it). Judged on what each read alone,
        # both would be stored: a CNAME beside other data, a zone that no
        # name server loads. (Checked: with the rules judged on records read
        # before the lock, 22 of 25 rounds stored both.)
        zone = "race-cname.test"
        self.create_zone(zone)
        s0 = self.get_zone(zone)["serial"]
        path = "/v1/zones/%s/records" % zone
        for i in range(25):
            name = "c%d" % i
            a, c = self.race([("POST", path, {"name": name, "type": "A", "content": "192.0.2.1"}),
                              ("POST", path, {"name": name, "type": "CNAME", "content": "www.example.net"})])
            with self.subTest(round=i):
                self.assertEqual(sorted([a.status, c.status]), [201, 409], (a, c))
                loser = a if a.status == 409 else c
                self.assertEqual(loser.error_code, "cname_conflict", loser)
                self.assertEqual(len(self.list_records(zone, name=name)), 1)
        self.assertEqual(self.get_zone(zone)["serial"], s0 + 25, "one serial step per stored write")

    def test_racing_deletes_of_the_last_glue_one_wins(self):
        # ns1.sub is the in-zone name server of a delegation, with an A and
        # an AAAA: either may go, not both.
        zone = "race-glue.test"
        self.create_zone(zone)
        path = "/v1/zones/%s/records" % zone
        for i in range(15):
            sub = "sub%d" % i
            b = self.call("POST", "/v1/zones/%s/records/batch" % zone, BATCH, expect=200, body={"posts": [
                {"name": "ns1." + sub, "type": "A", "content": "192.0.2.53"},
                {"name": "ns1." + sub, "type": "AAAA", "content": "2001:db8::53"},
                {"name": sub, "type": "NS", "content": "ns1.%s.%s" % (sub, zone)},
                {"name": sub, "type": "NS", "content": "ns.example.net"}]})
            glue = [x["id"] for x in b.data["created"][:2]]
            r1, r2 = self.race([("DELETE", "%s/%s" % (path, g), None) for g in glue])
            with self.subTest(round=i):
                self.assertEqual(sorted([r1.status, r2.status]), [200, 422], (r1, r2))
                loser = r1 if r1.status == 422 else r2
                self.assertError(loser, 422, "validation_failed", "missing_glue")
                self.assertEqual(len(self.list_records(zone, name="ns1." + sub)), 1, "one address stays")

    def test_racing_writes_at_different_names_all_land(self):
        # nothing in common: the zone's lock orders them, and every one is
        # stored with its own serial step
        zone = "race-many.test"
        self.create_zone(zone)
        s0 = self.get_zone(zone)["serial"]
        path = "/v1/zones/%s/records" % zone
        answers = []
        for i in range(5):
            answers += self.race([("POST", path, {"name": "n%d-%d" % (i, k), "type": "TXT", "content": "x"})
                                  for k in range(8)])
        self.assertEqual([r.status for r in answers], [201] * 40)
        self.assertEqual(sorted(r.data["serial"] for r in answers), list(range(s0 + 1, s0 + 41)))


if __name__ == "__main__":
    unittest.main(verbosity=2)
