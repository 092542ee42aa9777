"""End-to-end: POST /v1/zones/{zone}/import - a master file loaded all or
nothing with one serial step: merge and replace, SOA and apex NS skipped,
re-import changes nothing, TTL updates, dry runs, syntax and rule errors
that name the line or the record, media type, Idempotency-Key; the result
is what NSD-style master files mean (relative names, $ORIGIN, $TTL,
parentheses)."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ApiTestCase, ZoneHelpers  # noqa: E402

IMPORT = "/v1/zones/{zone}/import"

FILE = """$ORIGIN imp.test.
$TTL 7200
@   IN SOA ns1.elsewhere.example. admin.elsewhere.example. (
        2024010101 ; serial
        3600 900 604800 300 )
@       IN NS   ns1.elsewhere.example.
@       IN NS   ns2.elsewhere.example.
@       IN MX   10 mail
@       IN TXT  "v=spf1 mx -all"
www     300 IN A 192.0.2.10
www     300 IN AAAA 2001:db8::10
mail    IN A    192.0.2.25
ftp     IN CNAME www
lab     3600 IN NS ns1.lab
ns1.lab 3600 IN A 192.0.2.53
_sip._tcp IN SRV 10 5 5060 sip.imp.test.
sip     IN A 192.0.2.60
"""


class ImportTest(ZoneHelpers, ApiTestCase):
    STACK_NAME = "import"
    STACK_PORT = 18114

    def imp(self, zone, text, expect=None, query="", content_type="text/dns", **kw):
        headers = {"Content-Type": content_type}
        headers.update(kw.pop("headers", {}))
        return self.call("POST", "/v1/zones/%s/import%s" % (zone, query), IMPORT, raw=text.encode(),
                         headers=headers, expect=expect, **kw)

    def test_merge_then_reimport_then_replace(self):
        z = self.create_zone("imp.test")
        r = self.imp("imp.test", FILE, expect=200)
        d = r.data
        self.assertEqual((d["added"], d["deleted"], d["updated"], d["unchanged"]), (10, 0, 0, 0), d)
        self.assertEqual(len(d["skipped"]), 3, "the SOA and the two apex NS: %r" % d["skipped"])
        self.assertTrue(d["skipped"][0]["record"].startswith("imp.test. 7200 IN SOA"), d["skipped"])
        self.assertEqual([x["line"] for x in d["skipped"]], [3, 6, 7])
        self.assertEqual([x["code"] for x in d["skipped"]], ["system_record"] * 3)
        warned = {w["code"] for w in d.get("warnings", [])}
        self.assertEqual(warned, {"soa_replaced", "apex_ns_replaced", "single_ns"}, d.get("warnings"))
        self.assertEqual(d["serial"], z["serial"] + 1, "one serial step")
        recs = {(x["name"], x["type"]): x for x in self.list_records("imp.test")}
        self.assertEqual(recs[("imp.test.", "MX")]["content"], "mail.imp.test.")
        self.assertEqual(recs[("imp.test.", "MX")]["priority"], 10)
        self.assertEqual(recs[("imp.test.", "TXT")]["content"], "v=spf1 mx -all", "quoted text as plain text")
        self.assertEqual(recs[("www.imp.test.", "A")]["ttl"], 300)
        self.assertEqual(recs[("mail.imp.test.", "A")]["ttl"], 7200, "$TTL")
        self.assertEqual(recs[("ftp.imp.test.", "CNAME")]["content"], "www.imp.test.")
        self.assertEqual(recs[("_sip._tcp.imp.test.", "SRV")]["content"], "5 5060 sip.imp.test.")
        apex_ns = sorted(x["content"] for x in self.list_records("imp.test", name="@", type="NS"))
        self.assertEqual(apex_ns, ["ns1.dnsapi.test.", "ns2.dnsapi.test."])
        # the same file again changes nothing, not even the serial
        before = self.snapshot("imp.test")
        d = self.imp("imp.test", FILE, expect=200).data
        self.assertEqual((d["added"], d["deleted"], d["updated"], d["unchanged"]), (0, 0, 0, 10), d)
        self.assertUnchanged("imp.test", before, "after re-importing the same file")
        # a TTL change is an update; mode=replace deletes what the file lacks
        self.create_record("imp.test", {"name": "extra", "type": "A", "content": "192.0.2.99"})
        s0 = self.get_zone("imp.test")["serial"]
        small = "$ORIGIN imp.test.\nwww 600 IN A 192.0.2.10\nwww 600 IN AAAA 2001:db8::10\n"
        d = self.imp("imp.test", small, query="?mode=replace", expect=200).data
        self.assertEqual((d["added"], d["updated"], d["unchanged"], d["deleted"]), (0, 2, 0, 9), d)
        self.assertEqual(d["serial"], s0 + 1)
        left = sorted((x["name"], x["type"], x["ttl"]) for x in self.list_records("imp.test") if not x["system"])
        self.assertEqual(left, [("www.imp.test.", "A", 600), ("www.imp.test.", "AAAA", 600)])
        self.assertEqual(len([x for x in self.list_records("imp.test") if x["system"]]), 3, "SOA and apex NS kept")

    def test_errors_change_nothing(self):
        self.create_zone("bad-imp.test")
        self.create_record("bad-imp.test", {"name": "www", "type": "A", "content": "192.0.2.1"})
        before = self.snapshot("bad-imp.test")
        cases = (
            ("www IN A 192.0.2.2\nbroken IN A\n", 422, "bad_zone_file", "body", None),
            ("ok IN A 192.0.2.3\ninfo IN HINFO cpu os\n", 422, "unsupported_type", "records[1].type", 1),
            ("ok IN A 192.0.2.3\nfar.example.org. IN A 192.0.2.4\n", 422, "name_outside_zone", "records[1].name",
             1),
            ("www IN CNAME other.bad-imp.test.\n", 409, None, None, 0),
            ("a IN A 192.0.2.5\nb 30 IN A 192.0.2.6\n", 422, "ttl_out_of_range", "records[1].ttl", 1),
            ("a 300 IN A 192.0.2.5\na 600 IN A 192.0.2.6\n", 422, "ttl_mismatch", None, None),
            ("$INCLUDE /etc/passwd\n", 422, "bad_zone_file", "body", None),
            # a first label of a lone "@": ldns would have read it as the zone's name
            ("ok IN A 192.0.2.3\nmail IN MX 10 \\@.example.net.\n", 422, "bad_rdata", "records[1].content", 1),
        )
        for text, status, code, field, index in cases:
            with self.subTest(text=text):
                r = self.imp("bad-imp.test", text)
                self.assertEqual(r.status, status, repr(r))
                det = r.error.get("details") or []
                if code is not None:
                    self.assertEqual(det[0]["code"], code, repr(r))
                if field is not None:
                    self.assertEqual(det[0]["field"], field, repr(r))
                if index is not None:
                    self.assertEqual(det[0]["index"], index, repr(r))
                self.assertUnchanged("bad-imp.test", before, "after %r" % text)
        r = self.imp("bad-imp.test", "x IN A 192.0.2.1\n", content_type="application/json")
        self.assertError(r, 415, "unsupported_media_type")
        r = self.imp("bad-imp.test", "x IN A 192.0.2.1\n", query="?mode=sideways")
        self.assertError(r, 422, "validation_failed")
        r = self.imp("nope-imp.test", "x IN A 192.0.2.1\n")
        self.assertError(r, 404, "not_found")
        self.assertError(self.imp("bad-imp.test", "x IN A 192.0.2.1\n", token=self.stack.token(scopes="records:read")),
                         403, "insufficient_scope")
        self.assertUnchanged("bad-imp.test", before)

    def test_dry_run_and_idempotency(self):
        self.create_zone("dry-imp.test")
        before = self.snapshot("dry-imp.test")
        d = self.imp("dry-imp.test", "a IN A 192.0.2.1\nb IN A 192.0.2.2\n", query="?dry_run=true", expect=200).data
        self.assertEqual((d["added"], d["dry_run"], d["serial"]), (2, True, before["serial"] + 1))
        self.assertUnchanged("dry-imp.test", before, "after a dry run")
        first = self.imp("dry-imp.test", "c IN A 192.0.2.3\n", headers={"Idempotency-Key": "imp-1"}, expect=200)
        again = self.imp("dry-imp.test", "c IN A 192.0.2.3\n", headers={"Idempotency-Key": "imp-1"}, expect=200)
        self.assertEqual(again.body, first.body)
        self.assertEqual(again.headers.get("Idempotent-Replayed"), "true")
        self.assertEqual(self.get_zone("dry-imp.test")["serial"], before["serial"] + 1)


if __name__ == "__main__":
    unittest.main(verbosity=2)
