"""End-to-end: every rule of the design's "Zones, system records and rules" -
status, error code, details[].code, a message, and that nothing changed."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ApiTestCase, ZoneHelpers, checkzone_all  # noqa: E402

ZONE = "example.com"


class RulesTest(ZoneHelpers, ApiTestCase):
    STACK_NAME = "rules"
    STACK_PORT = 18103

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        r = cls.stack.request("POST", "/v1/zones", token=cls.token, body={"name": ZONE})
        assert r.status == 201, r

    def refused(self, body, status, code, detail=None, field=None, zone=ZONE):
        """Creates body, expects the error, and checks that nothing changed."""
        before = self.snapshot(zone)
        r = self.create_record(zone, body, expect=None)
        self.assertError(r, status, code, detail, field)
        self.assertUnchanged(zone, before, "after refused %r" % (body,))
        return r

    def ok(self, body, zone=ZONE):
        s = self.get_zone(zone)["serial"]
        r = self.create_record(zone, body)
        self.assertEqual(r.data["serial"], s + 1)
        return r

    # -- names -----------------------------------------------------------------

    def test_name_outside_zone(self):
        for name in ("www.example.org.", "example.org.", "com.", "xexample.com.", "ample.com."):
            with self.subTest(name=name):
                self.refused({"name": name, "type": "A", "content": "192.0.2.1"},
                             422, "validation_failed", "name_outside_zone", "name")

    def test_names_absolute_and_relative(self):
        r = self.ok({"name": "rel.example.com", "type": "A", "content": "192.0.2.1"})
        self.assertEqual(r.data["record"]["name"], "rel.example.com.", "ends in .zone: absolute")
        r = self.ok({"name": "www.example.org", "type": "A", "content": "192.0.2.1"})
        self.assertEqual(r.data["record"]["name"], "www.example.org.example.com.", "otherwise relative")
        r = self.ok({"name": "abs.example.com.", "type": "A", "content": "192.0.2.1"})
        self.assertEqual(r.data["record"]["name"], "abs.example.com.")
        r = self.ok({"name": "@", "type": "A", "content": "192.0.2.1"})
        self.assertEqual(r.data["record"]["name"], "example.com.")

    def test_label_too_long(self):
        self.refused({"name": "a" * 64, "type": "A", "content": "192.0.2.1"},
                     422, "validation_failed", "label_too_long", "name")
        self.refused({"name": "ok." + "b" * 64 + ".example.com.", "type": "A", "content": "192.0.2.1"},
                     422, "validation_failed", "label_too_long", "name")
        self.ok({"name": "c" * 63, "type": "A", "content": "192.0.2.1"})

    def test_name_too_long(self):
        # 60*4 + 3 dots = 243, + ".example.com" = 255 > 253
        self.refused({"name": ".".join(["a" * 60] * 4), "type": "A", "content": "192.0.2.1"},
                     422, "validation_failed", "name_too_long", "name")
        # exactly 253 characters without the trailing dot is allowed
        name = ".".join(["d" * 60, "e" * 60, "f" * 60, "g" * 58]) + ".example.com"
        self.assertEqual(len(name), 253)
        r = self.ok({"name": name, "type": "A", "content": "192.0.2.1"})
        self.assertEqual(r.data["record"]["name"], name + ".")

    def test_bad_wildcard(self):
        # only a whole '*' label is special (RFC 4592); '*' beside other octets is refused
        for name in ("a*", "*a", "w*w.sub"):
            with self.subTest(name=name):
                self.refused({"name": name, "type": "A", "content": "192.0.2.1"},
                             422, "validation_failed", "bad_wildcard", "name")
        # a '*' label below the leftmost is an ordinary label
        r = self.ok({"name": "host.*.sub", "type": "A", "content": "192.0.2.1"})
        self.assertEqual(r.data["record"]["name"], "host.*.sub.example.com.")
        r = self.ok({"name": "*.wild", "type": "A", "content": "192.0.2.1"})
        self.assertEqual(r.data["record"]["name"], "*.wild.example.com.")
        self.ok({"name": "*", "type": "TXT", "content": "wildcard at the apex"})

    # -- content -----------------------------------------------------------------

    def test_bad_ipv4(self):
        for content in ("256.1.1.1", "1.2.3", "192.0.2.1.5", "example.com", "", "2001:db8::1", "192.0.2.1 x"):
            with self.subTest(content=content):
                self.refused({"name": "v4", "type": "A", "content": content},
                             422, "validation_failed", "bad_rdata", "content")

    def test_bad_ipv6(self):
        for content in ("2001:db8::zz", "2001:db8:::1", "1:2:3:4:5:6:7:8:9", "192.0.2.1", "", "::g"):
            with self.subTest(content=content):
                self.refused({"name": "v6", "type": "AAAA", "content": content},
                             422, "validation_failed", "bad_rdata", "content")

    def test_unsupported_type(self):
        for t in ("FOO", "WKS", "A6", "TYPE13", "RRSIG", "A A"):
            with self.subTest(type=t):
                self.refused({"name": "t", "type": t, "content": "192.0.2.1"},
                             422, "validation_failed", "unsupported_type", "type")
        # RFC 3597: a type without a name is stored generically, its content only "\# len hex"
        self.refused({"name": "t", "type": "TYPE65280", "content": "192.0.2.1"},
                     422, "validation_failed", "bad_rdata", "content")
        r = self.ok({"name": "t", "type": "type65280", "content": "\\# 4 C0000201"})
        self.assertEqual((r.data["record"]["type"], r.data["record"]["content"]),
                         ("TYPE65280", "\\# 4 c0000201"))

    # -- CNAME -------------------------------------------------------------------

    def test_cname_at_apex(self):
        for name in ("@", "example.com."):
            with self.subTest(name=name):
                self.refused({"name": name, "type": "CNAME", "content": "target.example.net"},
                             422, "validation_failed", "cname_at_apex", "name")

    def test_cname_beside_other_data(self):
        self.ok({"name": "host", "type": "A", "content": "192.0.2.1"})
        r = self.refused({"name": "host", "type": "CNAME", "content": "target.example.net"}, 409, "cname_conflict")
        self.assertIn("CNAME", r.error["message"])

    def test_other_data_beside_cname(self):
        self.ok({"name": "alias", "type": "CNAME", "content": "target.example.net"})
        for body in ({"name": "alias", "type": "A", "content": "192.0.2.1"},
                     {"name": "alias", "type": "TXT", "content": "hello"},
                     {"name": "alias.example.com.", "type": "MX", "content": "10 mx.example.net"}):
            with self.subTest(body=body):
                self.refused(body, 409, "cname_conflict")

    def test_second_cname(self):
        self.ok({"name": "alias2", "type": "CNAME", "content": "one.example.net"})
        self.refused({"name": "alias2", "type": "CNAME", "content": "two.example.net"}, 409, "cname_conflict")

    def test_rules_apply_to_patch(self):
        r = self.ok({"name": "patched", "type": "A", "content": "192.0.2.1"})
        rid = r.data["record"]["id"]
        before = self.snapshot(ZONE)
        p = self.call("PATCH", "/v1/zones/example.com/records/" + rid, "/v1/zones/{zone}/records/{id}",
                      body={"content": "999.1.1.1"})
        self.assertError(p, 422, "validation_failed", "bad_rdata", "content")
        p = self.call("PATCH", "/v1/zones/example.com/records/" + rid, "/v1/zones/{zone}/records/{id}",
                      body={"ttl": 10})
        self.assertError(p, 422, "validation_failed", "ttl_out_of_range", "ttl")
        self.assertUnchanged(ZONE, before)

    # -- NS ----------------------------------------------------------------------

    def test_ns_target_is_cname(self):
        self.ok({"name": "nsalias", "type": "CNAME", "content": "real-ns.example.net"})
        for content in ("nsalias.example.com", "nsalias.example.com."):
            with self.subTest(content=content):
                self.refused({"name": "deleg-cname", "type": "NS", "content": content},
                             422, "validation_failed", "ns_target_is_cname", "content")

    def test_missing_glue_is_refused(self):
        # kzonecheck (and Knot with semantic-checks: on) refuses a zone whose
        # name server inside it has no address
        self.refused({"name": "sub", "type": "NS", "content": "ns1.sub.example.com"}, 422,
                     "validation_failed", "missing_glue", "content")
        self.refused({"name": "sib", "type": "NS", "content": "nothing-here.example.com"}, 422,
                     "validation_failed", "missing_glue", "content")
        # glue first: not occluded, and then the delegation is fine
        g = self.ok({"name": "ns1.sub", "type": "A", "content": "192.0.2.53"})
        self.assertNotIn("occluded", [w["code"] for w in g.data.get("warnings", [])], "glue is not occluded")
        r = self.ok({"name": "sub", "type": "NS", "content": "ns1.sub.example.com"})
        self.assertEqual(r.status, 201)
        self.assertNotIn("missing_glue", [w["code"] for w in r.data.get("warnings", [])])
        names = [(x["name"], x["type"]) for x in self.list_records(ZONE, name="sub", type="NS")]
        self.assertEqual(names, [("sub.example.com.", "NS")])
        # and its last address cannot go while the NS points at it
        glue = g.data["record"]["id"]
        before = self.snapshot(ZONE)
        d = self.call("DELETE", "/v1/zones/%s/records/%s" % (ZONE, glue),
                      "/v1/zones/{zone}/records/{id}", expect=422)
        self.assertError(d, 422, "validation_failed", "missing_glue")
        self.assertUnchanged(ZONE, before, "after the refused delete of the glue")
        # out-of-zone delegation: no warnings at all (the key is absent)
        r = self.ok({"name": "other", "type": "NS", "content": "ns.example.net"})
        self.assertNotIn("missing_glue", [w["code"] for w in r.data.get("warnings", [])])
        self.assertIn("single_ns", [w["code"] for w in r.data.get("warnings", [])])
        r = self.ok({"name": "other", "type": "NS", "content": "ns2.example.net"})
        self.assertNotIn("warnings", r.data, "two out-of-zone name servers: nothing to warn about")
        r = self.ok({"name": "plain", "type": "A", "content": "192.0.2.9"})
        self.assertNotIn("warnings", r.data)

    def test_occluded_warning(self):
        self.ok({"name": "cut", "type": "NS", "content": "ns-a.example.net"})
        self.ok({"name": "cut", "type": "NS", "content": "ns-b.example.net"})
        r = self.ok({"name": "below.cut", "type": "TXT", "content": "hidden by the delegation"})
        self.assertIn("occluded", [w["code"] for w in r.data.get("warnings", [])], repr(r))

    # -- DNAME -------------------------------------------------------------------

    def test_dname_has_nothing_below_it(self):
        # NSD and Knot refuse a zone with records below a DNAME (BIND loads it)
        zone = "dname.test"
        self.create_zone(zone)
        below = self.ok({"name": "x.moved", "type": "A", "content": "192.0.2.52"}, zone=zone)
        r = self.refused({"name": "moved", "type": "DNAME", "content": "example.org"}, 422,
                         "validation_failed", "dname_conflict", "name", zone=zone)
        self.assertIn("x.moved.dname.test.", r.error["details"][0]["message"])
        self.refused({"name": "@", "type": "DNAME", "content": "example.org"}, 422,
                     "validation_failed", "dname_conflict", "name", zone=zone)
        self.ok({"name": "old", "type": "DNAME", "content": "new.example.net"}, zone=zone)
        for name in ("a.old", "b.a.old", "*.old"):
            with self.subTest(name=name):
                self.refused({"name": name, "type": "TXT", "content": "hidden"}, 422,
                             "validation_failed", "dname_conflict", "name", zone=zone)
        self.ok({"name": "old", "type": "TXT", "content": "beside it"}, zone=zone)
        # a batch that deletes what is below and adds the DNAME is one change
        before = self.snapshot(zone)
        b = self.call("POST", "/v1/zones/%s/records/batch" % zone, "/v1/zones/{zone}/records/batch",
                      body={"deletes": [{"id": below.data["record"]["id"]}],
                            "posts": [{"name": "moved", "type": "DNAME", "content": "example.org"}]},
                      expect=200)
        self.assertNotEqual(self.snapshot(zone), before)
        b = self.call("POST", "/v1/zones/%s/records/batch" % zone, "/v1/zones/{zone}/records/batch",
                      body={"posts": [{"name": "fresh", "type": "DNAME", "content": "example.org"},
                                      {"name": "a.fresh", "type": "A", "content": "192.0.2.1"}]},
                      expect=None)
        self.assertError(b, 422, "validation_failed", "dname_conflict")
        r = self.call("GET", self.zone_path(zone) + "/export", "/v1/zones/{zone}/export", expect=200)
        text = r.body.decode("utf-8")
        self.assertIn("DNAME", text)
        self.assertEqual(checkzone_all(zone + ".", text), [], text)

    # -- TTL ---------------------------------------------------------------------

    def test_ttl_out_of_range(self):
        for ttl in (59, 0, -1, 604801, 2147483647):
            with self.subTest(ttl=ttl):
                self.refused({"name": "ttl", "type": "A", "content": "192.0.2.1", "ttl": ttl},
                             422, "validation_failed", "ttl_out_of_range", "ttl")
        self.ok({"name": "ttlmin", "type": "A", "content": "192.0.2.1", "ttl": 60})
        self.ok({"name": "ttlmax", "type": "A", "content": "192.0.2.1", "ttl": 604800})

    def test_ttl_mismatch(self):
        self.ok({"name": "rrset", "type": "A", "content": "192.0.2.1", "ttl": 300})
        self.refused({"name": "rrset", "type": "A", "content": "192.0.2.2", "ttl": 600},
                     422, "validation_failed", "ttl_mismatch", "ttl")
        self.ok({"name": "rrset", "type": "A", "content": "192.0.2.3", "ttl": 300})
        # another type at the same name is another RRset
        self.ok({"name": "rrset", "type": "TXT", "content": "x", "ttl": 900})

    # -- duplicates, TXT -----------------------------------------------------------

    def test_exact_duplicate(self):
        self.ok({"name": "dup", "type": "A", "content": "192.0.2.1"})
        self.refused({"name": "dup", "type": "A", "content": "192.0.2.1"}, 409, "duplicate")
        self.refused({"name": "DUP.example.com.", "type": "a", "content": "192.0.2.1"}, 409, "duplicate")
        self.ok({"name": "dup6", "type": "AAAA", "content": "2001:db8::1"})
        self.refused({"name": "dup6", "type": "AAAA", "content": "2001:DB8:0:0::0:1"}, 409, "duplicate")

    def test_txt_over_255_bytes(self):
        content = "x" * 300 + " " + "y" * 300
        r = self.ok({"name": "bigtxt", "type": "TXT", "content": content})
        self.assertEqual(r.data["record"]["content"], content)


if __name__ == "__main__":
    unittest.main(verbosity=2)
