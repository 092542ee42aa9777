"""End-to-end: GET /v1/zones/{zone}/changes - the audit trail: one entry per
record create, update and delete (single writes and batches), oldest first,
with the serial, the record before and after and the token; paging by
offset and cursor; tenancy."""

import base64
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ApiTestCase, ZoneHelpers  # noqa: E402


def jwt_claims(token):
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))

ZONE = "audit.test"
CHANGES = "/v1/zones/{zone}/changes"


class ChangesTest(ZoneHelpers, ApiTestCase):
    STACK_NAME = "changes"
    STACK_PORT = 18113

    def changes(self, zone=ZONE, expect=200, token=None, **params):
        qs = "&".join("%s=%s" % kv for kv in params.items())
        kw = {"token": token} if token is not None else {}
        return self.call("GET", "/v1/zones/%s/changes%s" % (zone, "?" + qs if qs else ""), CHANGES,
                         expect=expect, **kw)

    def test_trail_of_writes(self):
        z = self.create_zone(ZONE)
        self.assertEqual(self.changes().data["changes"], [], "zone creation itself is not a record change")
        a = self.create_record(ZONE, {"name": "www", "type": "A", "content": "192.0.2.1"}).data
        p = self.call("PATCH", "/v1/zones/%s/records/%s" % (ZONE, a["record"]["id"]),
                      "/v1/zones/{zone}/records/{id}", body={"content": "192.0.2.2", "ttl": 600}, expect=200).data
        m = self.create_record(ZONE, {"name": "@", "type": "MX", "content": "10 mail.audit.test"}).data
        b = self.call("POST", "/v1/zones/%s/records/batch" % ZONE, "/v1/zones/{zone}/records/batch",
                      body={"deletes": [{"id": a["record"]["id"]}],
                            "posts": [{"name": "www", "type": "AAAA", "content": "2001:db8::1"}]},
                      expect=200).data
        d = self.changes().data
        ch = d["changes"]
        self.assertEqual([(c["action"], c["type"]) for c in ch],
                         [("create", "A"), ("update", "A"), ("create", "MX"), ("delete", "A"),
                          ("create", "AAAA")])
        self.assertEqual([c["serial"] for c in ch],
                         [a["serial"], p["serial"], m["serial"], b["serial"], b["serial"]],
                         "each entry carries the serial its write made; a batch is one serial")
        self.assertEqual(d["pagination"]["total"], 5)
        self.assertIsNone(ch[0]["before"])
        self.assertEqual(ch[0]["after"], a["record"], "the after image is the record as the API showed it")
        self.assertEqual(ch[1]["before"]["content"], "192.0.2.1")
        self.assertEqual(ch[1]["after"], p["record"])
        self.assertEqual(ch[2]["after"]["priority"], 10)
        self.assertEqual(ch[3]["before"]["content"], "192.0.2.2")
        self.assertIsNone(ch[3]["after"])
        self.assertEqual(ch[3]["record_id"], a["record"]["id"])
        jti = jwt_claims(self.token)["jti"]
        self.assertEqual({c["token_id"] for c in ch}, {jti}, "the token that made each change")
        self.assertEqual({c["name"] for c in ch}, {"www.audit.test.", "audit.test."})
        ids = [c["id"] for c in ch]
        self.assertEqual(len(set(ids)), len(ids))
        # paging: by cursor, one at a time, and by offset
        seen, cursor = [], None
        for _ in range(10):
            page = self.changes(limit=2, **({"cursor": cursor} if cursor else {})).data
            seen += page["changes"]
            if not page["pagination"]["has_more"]:
                break
            cursor = page["pagination"]["next_cursor"]
        self.assertEqual(seen, ch)
        self.assertEqual(self.changes(offset=3, limit=10).data["changes"], ch[3:])
        self.assertEqual(self.changes(zone=z["id"]).data["changes"], ch, "the zone by id")
        self.assertError(self.changes(cursor="garbage", expect=None), 422, "validation_failed")

    def test_tenancy(self):
        self.create_zone("mine-audit.test")
        self.stack.account("other-audit")
        other = self.stack.token(account="other-audit")
        self.assertError(self.changes(zone="mine-audit.test", token=other, expect=None), 404, "not_found")
        limited = self.stack.token(zones=["elsewhere-audit.test"])
        self.assertError(self.changes(zone="mine-audit.test", token=limited, expect=None), 404, "not_found")
        self.assertError(self.changes(zone="mine-audit.test", token=self.stack.token(scopes="records:read"),
                                      expect=None), 403, "insufficient_scope")


if __name__ == "__main__":
    unittest.main(verbosity=2)
