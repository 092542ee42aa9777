"""End-to-end: POST /v1/zones/{zone}/records/batch - deletes, patches and
posts in one transaction with one serial step; rules checked on the result;
any failing entry leaves everything as it was and is named by index; dry
runs; system records; Idempotency-Key."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ApiTestCase, ZoneHelpers  # noqa: E402

ZONE = "batch.test"
BATCH = "/v1/zones/{zone}/records/batch"
AWS_NS = ["ns-123.awsdns-12.com", "ns-456.awsdns-34.net", "ns-789.awsdns-56.org", "ns-012.awsdns-78.co.uk"]


class BatchTest(ZoneHelpers, ApiTestCase):
    STACK_NAME = "batch"
    STACK_PORT = 18112

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        r = cls.stack.request("POST", "/v1/zones", token=cls.token, body={"name": ZONE})
        assert r.status == 201, r

    def batch(self, body, zone=ZONE, expect=None, query="", **kw):
        return self.call("POST", "/v1/zones/%s/records/batch%s" % (zone, query), BATCH, body=body,
                         expect=expect, **kw)

    def rec(self, name, type_, content, **extra):
        body = {"name": name, "type": type_, "content": content}
        body.update(extra)
        return self.create_record(ZONE, body).data["record"]

    def test_delegation_with_glue_is_one_step(self):
        """The automation case: an NS set and its in-bailiwick glue, atomically."""
        s0 = self.get_zone(ZONE)["serial"]
        posts = [{"name": "aws", "type": "NS", "content": ns, "ttl": 3600} for ns in AWS_NS]
        posts += [{"name": "inner", "type": "NS", "content": "ns1.inner.batch.test", "ttl": 3600},
                  {"name": "inner", "type": "NS", "content": "ns2.inner.batch.test", "ttl": 3600},
                  {"name": "ns1.inner", "type": "A", "content": "192.0.2.53"},
                  {"name": "ns2.inner", "type": "AAAA", "content": "2001:db8::53"}]
        r = self.batch({"posts": posts}, expect=200)
        d = r.data
        self.assertEqual(d["serial"], s0 + 1, "one serial step for the whole batch")
        self.assertEqual(self.get_zone(ZONE)["serial"], s0 + 1)
        self.assertEqual((d["deleted"], d["updated"]), ([], []))
        self.assertEqual([x["content"] for x in d["created"]], [p["content"] + "." for p in posts[:6]]
                         + ["192.0.2.53", "2001:db8::53"], "created in the order given")
        self.assertNotIn("warnings", d, "the glue came in the same batch: %r" % d.get("warnings"))
        lst = self.list_page(ZONE, name="aws", type="NS").data["records"]
        self.assertEqual(sorted(x["content"] for x in lst), sorted(ns + "." for ns in AWS_NS))
        # the same NS without glue: name servers refuse such a zone (kzonecheck: missing glue
        # record), so a single create refuses it, and so does a batch
        r = self.batch({"posts": [{"name": "bare", "type": "NS", "content": "ns1.bare.batch.test"},
                                  {"name": "bare", "type": "NS", "content": "ns2.bare.batch.test"}]},
                       expect=422)
        self.assertError(r, 422, "validation_failed", "missing_glue")
        self.assertEqual(self.list_page(ZONE, name="bare", type="NS").data["records"], [])

    def test_any_failure_applies_nothing(self):
        keep = self.rec("keep", "A", "192.0.2.1")
        gone = self.rec("gone", "A", "192.0.2.2")
        before = self.snapshot(ZONE)
        cases = (
            ({"deletes": [{"id": gone["id"]}], "posts": [{"name": "ok", "type": "A", "content": "192.0.2.3"},
                                                      {"name": "bad", "type": "A", "content": "300.1.1.1"}]},
             422, "validation_failed", "posts[1].content", 1),
            ({"patches": [{"id": keep["id"], "ttl": 5}]}, 422, "validation_failed", "patches[0].ttl", 0),
            ({"posts": [{"name": "x", "type": "A", "content": "192.0.2.9"}],
              "deletes": [{"id": "00000000-0000-4000-8000-000000000000"}]}, 404, "not_found", "deletes[0].id", 0),
            ({"deletes": [{"id": "not-a-uuid"}]}, 404, "not_found", "deletes[0].id", 0),
            ({"posts": [{"name": "dup", "type": "A", "content": "192.0.2.7"},
                        {"name": "dup", "type": "A", "content": "192.0.2.7"}]}, 409, "duplicate", None, None),
            ({"posts": [{"name": "other.zone.example.", "type": "A", "content": "192.0.2.7"}]},
             422, "validation_failed", "posts[0].name", 0),
            ({"posts": [{"name": "x", "type": "A", "content": "192.0.2.7", "bogus": 1}]},
             422, "validation_failed", "posts[0].bogus", 0),
            ({"patches": [{"id": keep["id"], "name": "renamed"}]}, 422, "validation_failed", "patches[0].name", 0),
            ({"deletes": [{"id": keep["id"]}], "patches": [{"id": keep["id"], "ttl": 600}]},
             422, "validation_failed", "patches[0].id", 0),
            ({}, 422, "validation_failed", None, None),
            ({"posts": "nope"}, 422, "validation_failed", "posts", None),
            ({"posts": [1]}, 422, "validation_failed", None, 0),
        )
        for body, status, code, field, index in cases:
            with self.subTest(body=body):
                r = self.batch(body)
                self.assertError(r, status, code)
                det = r.error.get("details") or []
                if field is not None:
                    self.assertEqual(det[0]["field"], field, repr(r))
                if index is not None:
                    self.assertEqual(det[0]["index"], index, repr(r))
                self.assertUnchanged(ZONE, before, "after %r" % body)

    def test_rules_see_the_result(self):
        cn = self.rec("web", "CNAME", "target.batch.test")
        s0 = self.get_zone(ZONE)["serial"]
        # replacing a CNAME by addresses at the same name is one valid step
        r = self.batch({"deletes": [{"id": cn["id"]}],
                        "posts": [{"name": "web", "type": "A", "content": "192.0.2.80"},
                                  {"name": "web", "type": "AAAA", "content": "2001:db8::80"}]}, expect=200)
        self.assertEqual(r.data["deleted"], [cn["id"]])
        self.assertEqual(r.data["serial"], s0 + 1)
        self.assertEqual(sorted(x["type"] for x in self.list_page(ZONE, name="web").data["records"]),
                         ["A", "AAAA"])
        before = self.snapshot(ZONE)
        # a CNAME beside data added in the same batch
        r = self.batch({"posts": [{"name": "mix", "type": "A", "content": "192.0.2.81"},
                                  {"name": "mix", "type": "CNAME", "content": "web.batch.test"}]})
        self.assertError(r, 409, "cname_conflict")
        self.assertEqual(r.error["details"][0]["index"], 0)
        # a TTL that disagrees with the rest of the RRset as it will be
        r = self.batch({"posts": [{"name": "web", "type": "A", "content": "192.0.2.82", "ttl": 60}]})
        self.assertError(r, 422, "validation_failed", "ttl_mismatch")
        # ...but changing the whole RRset's TTL together is fine
        a = self.list_page(ZONE, name="web", type="A").data["records"][0]
        r = self.batch({"patches": [{"id": a["id"], "ttl": 600}],
                        "posts": [{"name": "web", "type": "A", "content": "192.0.2.82", "ttl": 600}]},
                       expect=200)
        self.assertEqual([x["ttl"] for x in r.data["updated"]], [600])
        self.assertEqual(r.data["updated"][0]["id"], a["id"])
        before = self.snapshot(ZONE)
        # NS pointing at a name that becomes a CNAME in the same batch
        r = self.batch({"posts": [{"name": "sub", "type": "NS", "content": "alias.batch.test"},
                                  {"name": "alias", "type": "CNAME", "content": "web.batch.test"}]})
        self.assertError(r, 422, "validation_failed", "ns_target_is_cname")
        self.assertUnchanged(ZONE, before)

    def test_system_records(self):
        recs = self.list_records(ZONE)
        soa = [x for x in recs if x["type"] == "SOA"][0]
        apex_ns = [x for x in recs if x["type"] == "NS" and x["name"] == ZONE + "."][0]
        before = self.snapshot(ZONE)
        for body in ({"deletes": [{"id": soa["id"]}]}, {"deletes": [{"id": apex_ns["id"]}]},
                     {"patches": [{"id": apex_ns["id"], "ttl": 3600}]},
                     {"posts": [{"name": "@", "type": "NS", "content": "ns3.example.net"}]},
                     {"posts": [{"name": "@", "type": "SOA", "content": "a. b. 1 2 3 4 5"}]}):
            with self.subTest(body=body):
                r = self.batch(body)
                self.assertError(r, 403, "system_record")
                self.assertIn("NS records for subdomains", r.error["message"])
                self.assertEqual(r.error["details"][0]["index"], 0)
        self.assertUnchanged(ZONE, before)

    def test_patch_delete_and_dry_run(self):
        a = self.rec("dry", "A", "192.0.2.90")
        t = self.rec("dry", "TXT", "before")
        before = self.snapshot(ZONE)
        body = {"deletes": [{"id": a["id"]}], "patches": [{"id": t["id"], "content": "after", "comment": "c"}],
                "posts": [{"name": "dry", "type": "AAAA", "content": "2001:db8::90"}]}
        r = self.batch(body, query="?dry_run=true", expect=200)
        self.assertIs(r.data["dry_run"], True)
        self.assertEqual(r.data["serial"], before["serial"] + 1, "the serial the zone would get")
        self.assertEqual(r.data["updated"][0]["content"], "after")
        self.assertUnchanged(ZONE, before, "after a dry run")
        r = self.batch(body, expect=200)
        self.assertNotIn("dry_run", r.data)
        self.assertEqual(r.data["deleted"], [a["id"]])
        self.assertEqual((r.data["updated"][0]["content"], r.data["updated"][0]["comment"]), ("after", "c"))
        self.assertEqual(r.data["created"][0]["content"], "2001:db8::90")
        self.assertEqual(self.get_zone(ZONE)["serial"], before["serial"] + 1)
        self.assertError(self.batch(body, query="?dry_run=maybe"), 422, "validation_failed")

    def test_idempotency_and_scope(self):
        body = {"posts": [{"name": "idem", "type": "A", "content": "192.0.2.99"}]}
        first = self.batch(body, headers={"Idempotency-Key": "batch-1"}, expect=200)
        again = self.batch(body, headers={"Idempotency-Key": "batch-1"}, expect=200)
        self.assertEqual(again.body, first.body)
        self.assertEqual(again.headers.get("Idempotent-Replayed"), "true")
        ro = self.stack.token(scopes="records:read")
        self.assertError(self.batch(body, token=ro), 403, "insufficient_scope")
        self.assertError(self.batch(body, zone="nope.test"), 404, "not_found")
        zid = self.get_zone(ZONE)["id"]
        r = self.batch({"posts": [{"name": "byid", "type": "A", "content": "192.0.2.98"}]}, zone=zid, expect=200)
        self.assertEqual(r.data["created"][0]["name"], "byid.batch.test.")


if __name__ == "__main__":
    unittest.main(verbosity=2)
