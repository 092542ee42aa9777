"""End-to-end: what automation such as an ACME client needs from the HTTP
API without friction - delete the challenge records by what they are (no
id), wait until the zone is published at a serial (bounded), see its own
token, and an omitted TTL that joins the RRset."""

import os
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ApiTestCase, ZoneHelpers, query  # noqa: E402

Z = "acme.test"
RECS = "/v1/zones/{zone}/records"
ZONE = "/v1/zones/{zone}"


class AcmeHttpTest(ZoneHelpers, ApiTestCase):
    STACK_NAME = "acme_http"
    STACK_PORT = 18119

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stack.request("POST", "/v1/zones", token=cls.token, body={"name": Z})

    def delete_matching(self, **params):
        return self.call("DELETE", "/v1/zones/%s/records%s" % (Z, query(**params)), RECS)

    def txt(self, content, name="_acme-challenge"):
        return self.create_record(Z, {"name": name, "type": "TXT", "content": content}).data["record"]

    def test_delete_by_name_type_and_content(self):
        a = self.txt("token-a")
        b = self.txt("token-b")
        s0 = self.get_zone(Z)["serial"]
        r = self.delete_matching(name="_acme-challenge", type="TXT", content="token-a")
        self.assertEqual(r.status, 200, repr(r))
        self.assertEqual(r.data["deleted"], [a["id"]])
        self.assertEqual(r.data["serial"], s0 + 1)
        left = [x["id"] for x in self.list_records(Z, name="_acme-challenge")]
        self.assertEqual(left, [b["id"]])
        # again: nothing matches, nothing changes (a retry is safe)
        r = self.delete_matching(name="_acme-challenge", type="TXT", content="token-a")
        self.assertEqual((r.status, r.data["deleted"], r.data["serial"]), (200, [], s0 + 1))
        self.assertEqual(self.get_zone(Z)["serial"], s0 + 1)
        # all=true: every record the filters given match
        self.txt("token-c")
        r = self.delete_matching(name="_acme-challenge", type="TXT", all="true")
        self.assertEqual(len(r.data["deleted"]), 2)
        self.assertEqual(self.list_records(Z, name="_acme-challenge"), [])

    def test_delete_by_filter_refuses_what_it_must(self):
        self.txt("keep-me", name="keep")
        before = self.snapshot(Z)
        r = self.delete_matching(name="keep", type="TXT")
        self.assertError(r, 422, "validation_failed", "missing_field", "content")
        r = self.delete_matching(name="keep", type="BOGUS", content="x")
        self.assertError(r, 422, "validation_failed", "unsupported_type")
        r = self.delete_matching(name="@", type="NS", all="true")
        self.assertError(r, 403, "system_record")
        r = self.delete_matching(name="keep", all="maybe")
        self.assertError(r, 422, "validation_failed", "out_of_range", "all")
        r = self.call("DELETE", "/v1/zones/nope.test/records?name=x&type=A&content=1.2.3.4", RECS)
        self.assertError(r, 404, "not_found")
        self.assertUnchanged(Z, before)

    def test_wait_for_serial(self):
        z = self.get_zone(Z)
        target = z["serial"]
        # not published (no zone generator here): the wait ends at its timeout
        r = self.call("GET", "/v1/zones/%s?wait_for_serial=%d&timeout=1" % (Z, target), ZONE, expect=200)
        self.assertEqual(r.data["zone"]["status"], "pending")
        # published while we wait: the answer comes with it
        def publish():
            time.sleep(0.5)
            self.stack.sql("UPDATE zones SET published_serial = serial WHERE name = '%s.'" % Z)
        t = threading.Thread(target=publish)
        t.start()
        r = self.call("GET", "/v1/zones/%s?wait_for_serial=%d&timeout=20" % (Z, target), ZONE, expect=200)
        t.join(10)
        self.assertEqual(r.data["zone"]["status"], "published")
        self.assertEqual(r.data["zone"]["published_serial"], target)
        # already there: at once
        r = self.call("GET", "/v1/zones/%s?wait_for_serial=%d&timeout=20" % (Z, target - 1), ZONE, expect=200)
        self.assertEqual(r.data["zone"]["status"], "published")
        for q, field in (("wait_for_serial=abc", "wait_for_serial"), ("wait_for_serial=1&timeout=61", "timeout"),
                         ("timeout=5", "timeout"), ("wait_for_serial=-1", "wait_for_serial")):
            r = self.call("GET", "/v1/zones/%s?%s" % (Z, q), ZONE)
            self.assertError(r, 422, "validation_failed", "out_of_range", field)

    def test_a_token_sees_itself(self):
        tok = self.stack.token(scopes="records:read", zones=(Z,))
        r = self.call("GET", "/v1/tokens/self", "/v1/tokens/self", token=tok, expect=200)
        t = r.data["token"]
        self.assertEqual(t["scopes"], ["records:read"])
        self.assertEqual(t["zones"], [Z + "."])
        self.assertIsNone(t["revoked_at"])
        self.call("DELETE", "/v1/tokens/" + t["id"], "/v1/tokens/{id}", expect=200)
        r = self.call("GET", "/v1/tokens/self", "/v1/tokens/self", token=tok)
        self.assertError(r, 401, "invalid_token")
        self.assertError(self.call("GET", "/v1/tokens/self", "/v1/tokens/self", token=None), 401, "unauthorized")


if __name__ == "__main__":
    unittest.main(verbosity=2)
