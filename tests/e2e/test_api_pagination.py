"""End-to-end: record list pagination - default and maximum limit, offset,
has_more, next_cursor, a cursor walk over ~300 records that returns every
record exactly once in the stable order (name, type, content), filters with
cursors, and a walk that survives concurrent writes."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ApiTestCase, ZoneHelpers, record_sort_key  # noqa: E402

ZONE = "page.test"
NAMES = 100


class PaginationTest(ZoneHelpers, ApiTestCase):
    STACK_NAME = "pagination"
    STACK_PORT = 18106

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        st = cls.stack
        r = st.request("POST", "/v1/zones", token=cls.token, body={"name": ZONE})
        assert r.status == 201, r
        # Created in an order unrelated to the list order.
        order = [(i * 37) % NAMES for i in range(NAMES)]
        for i in order:
            for body in ({"name": "h%03d" % i, "type": "TXT", "content": "t%d" % i},
                         {"name": "h%03d" % i, "type": "A", "content": "10.0.%d.2" % i},
                         {"name": "h%03d" % i, "type": "A", "content": "10.0.%d.1" % i}):
                r = st.request("POST", "/v1/zones/%s/records" % ZONE, token=cls.token, body=body)
                assert r.status == 201, r
        cls.total = NAMES * 3 + 3  # + SOA and two apex NS

    def full(self, **params):
        r = self.list_page(ZONE, limit=1000, **params)
        self.assertFalse(r.data["pagination"]["has_more"])
        return r.data["records"]

    def test_full_list_order_and_total(self):
        recs = self.full()
        self.assertEqual(len(recs), self.total)
        self.assertEqual(len({x["id"] for x in recs}), self.total)
        self.assertEqual(recs, sorted(recs, key=record_sort_key), "order is name (canonical), type, content")
        self.assertEqual(recs[0]["name"], "page.test.", "the apex comes first")
        self.assertEqual([x["content"] for x in recs if x["name"] == "h007.page.test."],
                         ["10.0.7.1", "10.0.7.2", "t7"])
        self.assertEqual(self.full(), recs, "the order is stable")

    def test_default_limit(self):
        r = self.list_page(ZONE)
        pg = r.data["pagination"]
        self.assertEqual((pg["limit"], pg["offset"], pg["count"], pg["total"], pg["has_more"]),
                         (50, 0, 50, self.total, True))
        self.assertEqual(len(r.data["records"]), 50)
        self.assertIsInstance(pg["next_cursor"], str)
        self.assertTrue(pg["next_cursor"])
        self.assertEqual(r.data["records"], self.full()[:50])

    def test_limit_bounds(self):
        r = self.list_page(ZONE, limit=1000)
        self.assertEqual(r.data["pagination"]["count"], self.total)
        self.assertEqual(r.data["pagination"]["limit"], 1000)
        self.assertIsNone(r.data["pagination"]["next_cursor"])
        for bad in (1001, 0, -1, 100000):
            with self.subTest(limit=bad):
                r = self.list_page(ZONE, limit=bad, expect=None)
                self.assertError(r, 422, "validation_failed", field="limit")
        r = self.list_page(ZONE, limit=1)
        self.assertEqual(r.data["pagination"]["count"], 1)
        self.assertTrue(r.data["pagination"]["has_more"])

    def test_offset(self):
        recs = self.full()
        for offset, limit in ((0, 10), (50, 50), (137, 20), (self.total - 3, 50), (self.total, 50),
                              (self.total + 100, 5)):
            with self.subTest(offset=offset, limit=limit):
                r = self.list_page(ZONE, offset=offset, limit=limit)
                pg = r.data["pagination"]
                want = recs[offset:offset + limit]
                self.assertEqual(r.data["records"], want)
                self.assertEqual(pg["offset"], offset)
                self.assertEqual(pg["limit"], limit)
                self.assertEqual(pg["count"], len(want))
                self.assertEqual(pg["total"], self.total)
                self.assertEqual(pg["has_more"], offset + limit < self.total)
                self.assertEqual(pg["next_cursor"] is not None, pg["has_more"])

    def walk(self, limit, **params):
        pages, seen, cursor = 0, [], None
        for _ in range(1000):
            r = self.list_page(ZONE, limit=limit, cursor=cursor, **params)
            pg = r.data["pagination"]
            pages += 1
            self.assertEqual(pg["count"], len(r.data["records"]))
            self.assertLessEqual(pg["count"], limit)
            seen += r.data["records"]
            if not pg["has_more"]:
                self.assertIsNone(pg["next_cursor"])
                return pages, seen
            self.assertIsInstance(pg["next_cursor"], str)
            self.assertEqual(pg["count"], limit, "only the last page is short")
            cursor = pg["next_cursor"]
        self.fail("walk did not end")

    def test_cursor_walk_every_record_once(self):
        recs = self.full()
        for limit in (37, 50, 1, 303):
            with self.subTest(limit=limit):
                pages, seen = self.walk(limit)
                self.assertEqual([x["id"] for x in seen], [x["id"] for x in recs])
                self.assertGreaterEqual(pages, -(-self.total // limit))
                self.assertEqual(len(seen), len({x["id"] for x in seen}), "no record twice")

    def test_cursor_with_filters(self):
        pages, seen = self.walk(23, type="A")
        self.assertEqual(len(seen), NAMES * 2)
        self.assertTrue(all(x["type"] == "A" for x in seen))
        self.assertEqual(seen, self.full(type="A"))
        pages, seen = self.walk(2, name="h042")
        self.assertEqual([x["content"] for x in seen], ["10.0.42.1", "10.0.42.2", "t42"])
        r = self.list_page(ZONE, type="TXT", limit=10)
        self.assertEqual(r.data["pagination"]["total"], NAMES)

    def test_every_filter_shape(self):
        """Each combination of name, type and content filters (each is its own
        prepared statement on the server), first page and by cursor, by zone
        name and by zone id, against the full list filtered here."""
        recs = self.full()
        zone_id = self.get_zone(ZONE)["id"]
        fields = {"name": ("h042", "h042.page.test."), "type": ("A", "A"), "content": ("10.0.42.1", "10.0.42.1")}
        for mask in range(8):
            params = {}
            want = recs
            for bit, key in enumerate(("name", "type", "content")):
                if mask & (1 << bit):
                    given, stored = fields[key]
                    params[key] = given
                    want = [x for x in want if x[key] == stored]
            with self.subTest(filters=params):
                r = self.list_page(ZONE, limit=1000, **params)
                self.assertEqual(r.data["records"], want)
                self.assertEqual(r.data["pagination"]["total"], len(want))
                by_id = self.list_page(zone_id, limit=1000, **params)
                self.assertEqual(by_id.data["records"], want, "the zone by id lists the same")
                pages, seen = self.walk(1, **params)
                self.assertEqual(seen, want, "a cursor walk of one record per page")
        r = self.list_page(ZONE, name="nothing-here", type="A")
        self.assertEqual((r.data["records"], r.data["pagination"]["total"]), ([], 0))

    def test_soa_page_boundary(self):
        """The SOA shows the zone's current serial; a page that ends on it
        continues after it, not with it again."""
        serial = self.get_zone(ZONE)["serial"]
        apex = self.full(name="@")
        self.assertEqual([x["type"] for x in apex], ["NS", "NS", "SOA"])
        self.assertEqual(int(apex[2]["content"].split()[2]), serial)
        first = self.list_page(ZONE, limit=3)
        self.assertEqual(first.data["records"][2]["type"], "SOA")
        nxt = self.list_page(ZONE, limit=3, cursor=first.data["pagination"]["next_cursor"])
        self.assertEqual(nxt.data["records"], self.full()[3:6])

    def test_cursor_walk_with_concurrent_writes(self):
        recs = self.full()
        zone = self.get_zone(ZONE)
        seen, cursor = [], None
        added = None
        deleted = None
        for i in range(1000):
            r = self.list_page(ZONE, limit=40, cursor=cursor)
            seen += r.data["records"]
            pg = r.data["pagination"]
            if i == 1:
                # after two pages: add a record that sorts before the cursor and one after it,
                # and delete a record that sorts after it
                early = self.create_record(ZONE, {"name": "a-early", "type": "A", "content": "10.9.9.1"})
                late = self.create_record(ZONE, {"name": "z-late", "type": "A", "content": "10.9.9.2"})
                added = (early.data["record"], late.data["record"])
                victim = recs[-5]
                self.call("DELETE", "/v1/zones/%s/records/%s" % (ZONE, victim["id"]),
                          "/v1/zones/{zone}/records/{id}", expect=200)
                deleted = victim
            if not pg["has_more"]:
                break
            cursor = pg["next_cursor"]
        ids = [x["id"] for x in seen]
        self.assertEqual(len(ids), len(set(ids)), "no record twice")
        self.assertNotIn(added[0]["id"], ids, "a record inserted behind the cursor is not returned")
        self.assertIn(added[1]["id"], ids, "a record inserted ahead of the cursor is returned")
        self.assertNotIn(deleted["id"], ids)
        untouched = [x["id"] for x in recs if x["id"] != deleted["id"]]
        self.assertEqual([i for i in ids if i in set(untouched)], untouched,
                         "every record that existed throughout is returned once, in order")
        self.assertEqual(seen, sorted(seen, key=record_sort_key))
        # restore the zone for the other tests
        for rec in added:
            self.call("DELETE", "/v1/zones/%s/records/%s" % (ZONE, rec["id"]), "/v1/zones/{zone}/records/{id}",
                      expect=200)
        self.create_record(ZONE, {k: deleted[k] for k in ("name", "type", "content", "ttl")})
        self.assertEqual(self.get_zone(ZONE)["serial"], zone["serial"] + 6, "six writes, six serial steps")

    def test_bad_cursor(self):
        for cursor in ("garbage", "AAAA", "%00", "x" * 2000):
            with self.subTest(cursor=cursor[:20]):
                r = self.list_page(ZONE, cursor=cursor, expect=None)
                self.assertError(r, 422, "validation_failed", field="cursor")


if __name__ == "__main__":
    unittest.main(verbosity=2)
