"""End-to-end: zones API - create, list (filter, paginate), get by id or name,
delete, bad zone names, duplicates."""

import datetime
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ApiTestCase, ZoneHelpers, query  # noqa: E402

SYS_NS = ["ns1.dnsapi.test.", "ns2.dnsapi.test."]


def parse_ts(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc) \
        if "." not in text else \
        datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)


class ZonesTest(ZoneHelpers, ApiTestCase):
    STACK_NAME = "zones"
    STACK_PORT = 18101

    def test_create_shape_and_normalization(self):
        t0 = datetime.datetime.now(datetime.timezone.utc)
        r = self.call("POST", "/v1/zones", "/v1/zones", body={"name": "Shape.Example"}, expect=201)
        self.assertEqual(r.json["status"], "success")
        self.assertEqual(r.data["message"], "Zone created successfully")
        z = r.data["zone"]
        self.assertEqual(z["name"], "shape.example.", "zone names are lower case and absolute")
        self.assertEqual(z["nameservers"], SYS_NS)
        self.assertEqual(z["status"], "pending")
        self.assertIsNone(z["published_serial"])
        self.assertEqual(z["serial"] % 100, 1)
        self.assertTrue(re.fullmatch(r"\d{10}", str(z["serial"])), z)
        for k in ("created_at", "updated_at"):
            ts = parse_ts(z[k])
            self.assertLess(abs((ts - t0).total_seconds()), 120, "%s is now-ish: %r" % (k, z))
        r = self.call("POST", "/v1/zones", "/v1/zones", body={"name": "dotted.example."}, expect=201)
        self.assertEqual(r.data["zone"]["name"], "dotted.example.")
        r = self.call("POST", "/v1/zones", "/v1/zones", body={"name": "_under-score.example"}, expect=201)
        self.assertEqual(r.data["zone"]["name"], "_under-score.example.")

    def test_get_by_id_and_name(self):
        z = self.create_zone("getme.example")
        for ref in ("getme.example", "getme.example.", "GETME.example", z["id"]):
            with self.subTest(ref=ref):
                self.assertEqual(self.get_zone(ref), z)

    def test_duplicate_zone(self):
        self.create_zone("dup.example")
        n = self.stack.sql("SELECT count(*) FROM zones")
        for name in ("dup.example", "dup.example.", "DUP.EXAMPLE"):
            with self.subTest(name=name):
                r = self.call("POST", "/v1/zones", "/v1/zones", body={"name": name})
                self.assertError(r, 409, "zone_exists")
        self.assertEqual(self.stack.sql("SELECT count(*) FROM zones"), n)

    def test_child_zone_same_account_allowed(self):
        self.create_zone("parent.example")
        z = self.create_zone("child.parent.example")
        self.assertEqual(z["name"], "child.parent.example.")

    def test_bad_zone_names(self):
        n = self.stack.sql("SELECT count(*) FROM zones")
        for name in ("bad name.example", "a..b.example", "a/b.example", "a\\b.example", "exa$mple.com",
                     "ex\u00e4mple.com", "semi;colon.example", "new\nline.example", "..example"):
            with self.subTest(name=name):
                r = self.call("POST", "/v1/zones", "/v1/zones", body={"name": name})
                self.assertError(r, 422, "validation_failed", "bad_zone_name", "name")
        self.assertEqual(self.stack.sql("SELECT count(*) FROM zones"), n, "no zone was created")

    def test_list_filter_and_pagination(self):
        names = ["alpha-one.list", "alpha-two.list", "beta.list", "gamma.list"]
        for n in names:
            self.create_zone(n)
        r = self.call("GET", "/v1/zones" + query(name="alpha"), "/v1/zones", expect=200)
        self.assertEqual(sorted(z["name"] for z in r.data["zones"]), ["alpha-one.list.", "alpha-two.list."])
        self.assertEqual(r.data["pagination"]["total"], 2)
        r = self.call("GET", "/v1/zones" + query(name=".list"), "/v1/zones", expect=200)
        self.assertEqual(sorted(z["name"] for z in r.data["zones"]), sorted(n + "." for n in names))
        r = self.call("GET", "/v1/zones" + query(name="no-such-zone-text"), "/v1/zones", expect=200)
        self.assertEqual(r.data["zones"], [])
        self.assertEqual(r.data["pagination"]["total"], 0)
        # Default page and ordering by name.
        r = self.call("GET", "/v1/zones", "/v1/zones", expect=200)
        pg = r.data["pagination"]
        self.assertEqual(pg["limit"], 50)
        self.assertEqual(pg["offset"], 0)
        self.assertEqual(pg["count"], len(r.data["zones"]))
        all_names = [z["name"] for z in r.data["zones"]]
        self.assertEqual(pg["total"], int(self.stack.sql("SELECT count(*) FROM zones")))
        # Walk by cursor with a small page: every zone once, same order.
        seen, cursor = [], None
        for _ in range(100):
            r = self.call("GET", "/v1/zones" + query(limit=2, cursor=cursor), "/v1/zones", expect=200)
            seen += [z["name"] for z in r.data["zones"]]
            self.assertLessEqual(r.data["pagination"]["count"], 2)
            if not r.data["pagination"]["has_more"]:
                self.assertIsNone(r.data["pagination"]["next_cursor"])
                break
            cursor = r.data["pagination"]["next_cursor"]
            self.assertIsInstance(cursor, str)
        self.assertEqual(seen, all_names)
        # Offset paging.
        r = self.call("GET", "/v1/zones" + query(limit=2, offset=1), "/v1/zones", expect=200)
        self.assertEqual([z["name"] for z in r.data["zones"]], all_names[1:3])
        r = self.call("GET", "/v1/zones" + query(limit=1001), "/v1/zones")
        self.assertError(r, 422, "validation_failed", field="limit")

    def test_delete_zone(self):
        z = self.create_zone("gone.example")
        self.create_record("gone.example", {"name": "www", "type": "A", "content": "192.0.2.1"})
        self.assertEqual(self.record_count_sql("gone.example"), 4)
        r = self.call("DELETE", "/v1/zones/gone.example", "/v1/zones/{zone}", expect=200)
        self.assertEqual(r.json, {"status": "success", "data": {"message": "Zone deleted successfully"}})
        for path, tpl in (("/v1/zones/gone.example", "/v1/zones/{zone}"),
                          ("/v1/zones/" + z["id"], "/v1/zones/{zone}"),
                          ("/v1/zones/gone.example/records", "/v1/zones/{zone}/records")):
            r = self.call("GET", path, tpl)
            self.assertError(r, 404, "not_found")
        r = self.call("DELETE", "/v1/zones/gone.example", "/v1/zones/{zone}")
        self.assertError(r, 404, "not_found")
        self.assertEqual(self.stack.sql(
            "SELECT count(*) FROM records WHERE zone_id = '%s'" % z["id"]), "0")
        r = self.call("GET", "/v1/zones", "/v1/zones", expect=200)
        self.assertNotIn("gone.example.", [x["name"] for x in r.data["zones"]])
        # The name is free again.
        z2 = self.create_zone("gone.example")
        self.assertNotEqual(z2["id"], z["id"])

    def test_delete_by_id(self):
        z = self.create_zone("byid.example")
        self.call("DELETE", "/v1/zones/" + z["id"], "/v1/zones/{zone}", expect=200)
        self.assertError(self.call("GET", "/v1/zones/byid.example", "/v1/zones/{zone}"), 404, "not_found")

    def test_unknown_zone(self):
        for ref in ("nope.example", "00000000-0000-0000-0000-000000000000", "x", "-", "%2F", "a%2Fb",
                    "..%2F..%2Fetc", "%00", "%20"):
            with self.subTest(ref=ref):
                r = self.call("GET", "/v1/zones/" + ref, "/v1/zones/{zone}")
                self.assertError(r, 404, "not_found")


if __name__ == "__main__":
    unittest.main(verbosity=2)
