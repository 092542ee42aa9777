"""End-to-end: names and types as DNS has them, through the record API.

Owner names with escapes (DNS-SD instances, RFC 2317 names, '*' below the
leftmost label), absolute targets of one label, the types of real zones
(DNAME, LOC, URI, CDS/CDNSKEY, OPENPGPKEY, SMIMEA, RFC 3597 TYPEnnn),
SVCB/HTTPS by RFC 9460, TXT of many strings and CAA with escapes are
created over HTTP, come back in their canonical form, and the exported
zone loads in nsd-checkzone, kzonecheck and named-checkzone. What RFC 9460
and dnsapi refuse is refused with the right code, and changes nothing.
"""

import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dnsfleet  # noqa: E402
from harness import ApiTestCase, ZoneHelpers, checkzone_all, loopback  # noqa: E402

ZONE = "forms.test"

CREATED = [
    # (body, expected name, expected content)
    ({"name": "Office\\032Printer._ipp._tcp", "type": "SRV", "content": "0 0 631 printer.forms.test"},
     "office\\032printer._ipp._tcp.forms.test.", "0 631 printer.forms.test."),
    ({"name": "_ipp._tcp", "type": "PTR", "content": "Office\\032Printer._ipp._tcp.forms.test."},
     "_ipp._tcp.forms.test.", "office\\032printer._ipp._tcp.forms.test."),
    ({"name": "0/26", "type": "NS", "content": "ns1.customer.example."}, "0/26.forms.test.",
     "ns1.customer.example."),
    ({"name": "1", "type": "CNAME", "content": "1.0/26.forms.test."}, "1.forms.test.",
     "1.0/26.forms.test."),
    ({"name": "host.*.sub", "type": "A", "content": "192.0.2.7"}, "host.*.sub.forms.test.",
     "192.0.2.7"),
    ({"name": "a\\.b", "type": "TXT", "content": "one label"}, "a\\.b.forms.test.", "one label"),
    ({"name": "lo", "type": "PTR", "content": "localhost."}, "lo.forms.test.", "localhost."),
    ({"name": "alias", "type": "CNAME", "content": "forms.test."}, "alias.forms.test.",
     "forms.test."),
    ({"name": "old", "type": "DNAME", "content": "new.example.net."}, "old.forms.test.",
     "new.example.net."),
    ({"name": "@", "type": "LOC", "content": "42 21 54 N 71 06 18 W -24m 30m"}, "forms.test.",
     "42 21 54.000 N 71 06 18.000 W -24m 30m 10000m 10m"),
    ({"name": "_ftp._tcp", "type": "URI", "content": "10 1 \"ftp://ftp1.example.com/public\""},
     "_ftp._tcp.forms.test.", "10 1 \"ftp://ftp1.example.com/public\""),
    ({"name": "@", "type": "CDS", "content": "0 0 0 00"}, "forms.test.", "0 0 0 00"),
    ({"name": "@", "type": "CDNSKEY", "content": "0 3 0 AA=="}, "forms.test.", "0 3 0 AA=="),
    ({"name": "k._openpgpkey", "type": "OPENPGPKEY", "content": "mQENBFVHm5sBCACeDj2WUlZd"},
     "k._openpgpkey.forms.test.", "mQENBFVHm5sBCACeDj2WUlZd"),
    ({"name": "s._smimecert", "type": "SMIMEA", "content": "3 0 0 308201AA"},
     "s._smimecert.forms.test.", "3 0 0 308201aa"),
    ({"name": "gen", "type": "type65534", "content": "\\# 4 0A000001"}, "gen.forms.test.",
     "\\# 4 0a000001"),
    ({"name": "doh", "type": "HTTPS", "content": "1 . alpn=h2 dohpath=/dns-query{?dns}"},
     "doh.forms.test.", "1 . alpn=h2 key7=\"/dns-query{?dns}\""),
    ({"name": "nul", "type": "HTTPS", "content": "1 . key9=\\0001"}, "nul.forms.test.",
     "1 . key9=\"\\0001\""),
    ({"name": "svc", "type": "HTTPS", "content": "1 . alpn=\"h1,h2\\\\\\\\x,h3\""}, "svc.forms.test.",
     "1 . alpn=\"h1,h2\\\\\\\\x,h3\""),
    ({"name": "last", "type": "HTTPS", "content": "1 . alpn=h3,h"}, "last.forms.test.",
     "1 . alpn=h3,h"),
    ({"name": "@", "type": "CAA", "content": "0 issue \"ca\\059.example\""}, "forms.test.",
     "0 issue \"ca;.example\""),
    ({"name": "many", "type": "TXT", "content": " ".join("\"s%d\"" % i for i in range(100))},
     "many.forms.test.", " ".join("\"s%d\"" % i for i in range(100))),
]

REFUSED = [
    # (body, detail code, field)
    ({"name": "a b", "type": "A", "content": "192.0.2.1"}, "bad_name", "name"),
    ({"name": "a\\300", "type": "A", "content": "192.0.2.1"}, "bad_name", "name"),
    ({"name": "*foo", "type": "A", "content": "192.0.2.1"}, "bad_wildcard", "name"),
    ({"name": "x", "type": "CNAME", "content": "target"}, "bad_rdata", "content"),
    ({"name": "x", "type": "SVCB", "content": "1 foo.example.com. key123=abc key123=def"},
     "bad_rdata", "content"),
    ({"name": "x", "type": "SVCB", "content": "1 foo.example.com. mandatory=key123,key123 key123=abc"},
     "bad_rdata", "content"),
    ({"name": "x", "type": "HTTPS", "content": "1 . mandatory=port alpn=h2"}, "bad_rdata", "content"),
    # an alpn id holding a comma: Knot 3.2 refuses some such lists
    ({"name": "x", "type": "HTTPS", "content": "1 . alpn=\"h1\\\\,h2,h3\""}, "bad_rdata",
     "content"),
    # alpn lists NSD and Knot would serve differently in every form: Knot 3.2
    # misreads them in alpn form, NSD reads key1 as alpn text
    ({"name": "x", "type": "HTTPS", "content": "1 . alpn=h,h3"}, "bad_rdata", "content"),
    ({"name": "x", "type": "HTTPS", "content": "1 . alpn=\"ab\\\\\\\\,cd\""}, "bad_rdata",
     "content"),
    ({"name": "x", "type": "HTTPS", "content": "1 . key1=\"\\001h\\002h3\""}, "bad_rdata",
     "content"),
    # the generic form meets the per-id rules of alpn=: an id twice, a NUL
    # octet (found by fuzz_content)
    ({"name": "x", "type": "HTTPS", "content": "1 . key1=\"\\002h2\\002h3\\002h2\""}, "bad_rdata",
     "content"),
    ({"name": "x", "type": "HTTPS", "content": "1 . key1=\"\\003a\\000b\""}, "bad_rdata",
     "content"),
    ({"name": "x", "type": "SPF", "content": "\"v=spf1 -all\""}, "unsupported_type", "type"),
    ({"name": "x", "type": "RRSIG", "content": "A 8 2 3600 1 2 3 forms.test. AAAA"},
     "unsupported_type", "type"),
    ({"name": "x", "type": "TYPE65534", "content": "0a000001"}, "bad_rdata", "content"),
    # generic data ldns reads but cannot print: a LOC is 16 bytes (was a 500)
    ({"name": "x", "type": "LOC", "content": "\\# 12 000a000513c403736970c033"}, "bad_rdata",
     "content"),
    ({"name": "x", "type": "CAA", "content": "0 issue \"a\\999\""}, "bad_rdata", "content"),
    # a first label of a lone "@": ldns read it as the zone (stored as forms.test.)
    ({"name": "x", "type": "NS", "content": "\\@.ns.example.net."}, "bad_rdata", "content"),
    ({"name": "x", "type": "HTTPS", "content": "1 \\@.example.net. alpn=h2"}, "bad_rdata",
     "content"),
    # a NAPTR bound above 255: glibc compiles it, BIND refuses the zone
    ({"name": "x", "type": "NAPTR", "content": "100 10 \"U\" \"E2U\" \"!^a{256}$!x!\" ."},
     "bad_rdata", "content"),
]


def documented_key1_query():
    """The query docs/operations.md gives for alpn lists stored as key1."""
    root = os.environ.get("DNSAPI_SOURCE_DIR",
                          os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    with open(os.path.join(root, "docs", "operations.md"), encoding="utf-8") as f:
        m = re.search(r'''psql "\$DNSAPI_DATABASE_URL" -c "(SELECT z\.name AS zone.*?key1=')"''',
                      f.read(), re.S)
    assert m is not None, "docs/operations.md no longer gives the key1 query"
    return m.group(1)


class DnsFormsTest(ZoneHelpers, ApiTestCase):
    STACK_NAME = "dnsforms"
    STACK_PORT = 18171

    def test_forms_are_stored_canonically_and_export_loads_everywhere(self):
        self.create_zone(ZONE)
        for body, name, content in CREATED:
            with self.subTest(body=body):
                r = self.create_record(ZONE, body)
                rec = r.data["record"]
                self.assertEqual((rec["name"], rec["content"]), (name, content))
        r = self.call("GET", self.zone_path(ZONE) + "/export", "/v1/zones/{zone}/export", expect=200)
        text = r.body.decode("utf-8")
        self.assertEqual(checkzone_all(ZONE + ".", text), [], text)
        self.served_alike(text)

    def served_alike(self, text):
        """NSD and Knot, loading the export, serve each SVCB/HTTPS record
        with the same data (a zone both load can still be read apart: Knot
        3.2 misreads some alpn lists, NSD the generic key1 form)."""
        fleet = dnsfleet.Fleet()
        try:
            nsd = fleet.nsd("nsd", loopback(50, 0), {ZONE + ".": text})
            knot = fleet.knot("knot", loopback(50, 1), {ZONE + ".": text})
            fleet.start()
            svc = [(name, body["type"]) for body, name, _ in CREATED
                   if body["type"] in ("SVCB", "HTTPS") and name.endswith(".")]
            self.assertGreaterEqual(len(svc), 4)
            for name, rtype in svc:
                with self.subTest(name=name, type=rtype):
                    got = []
                    for s in (nsd, knot):
                        r = dnsfleet.query(s.address, s.port, name, rtype, tcp=True)
                        got.append(sorted(rd.to_digestable() for rr in r.answer for rd in rr))
                    self.assertTrue(got[0], "%s serves no %s at %s" % ("nsd", rtype, name))
                    self.assertEqual(got[0], got[1], "NSD and Knot serve %s %s apart" % (name, rtype))
            # what is served is what was meant: ids h1, h2\x (one backslash), h3
            r = dnsfleet.query(knot.address, knot.port, "svc." + ZONE + ".", "HTTPS", tcp=True)
            alpn = [rd.params[1].ids for rr in r.answer for rd in rr]
            self.assertEqual(alpn, [(b"h1", b"h2\\x", b"h3")])
        except Exception:
            print(fleet.log_tails(), file=sys.stderr)
            raise
        finally:
            fleet.stop()

    def test_what_dns_or_rfc_9460_refuse_is_refused(self):
        zone = "refused-forms.test"
        self.create_zone(zone)
        for body, code, field in REFUSED:
            with self.subTest(body=body):
                before = self.snapshot(zone)
                r = self.create_record(zone, body, expect=None)
                self.assertError(r, 422, "validation_failed", code, field)
                self.assertUnchanged(zone, before, "after %r" % (body,))

    def test_legacy_key1_alpn_is_found_and_must_be_replaced(self):
        """Older releases stored alpn=h,h3 as key1="\\001h\\002h3", which NSD
        serves as another list. The query docs/operations.md gives finds
        it; a PATCH of the TTL alone keeps it (content is judged when it is
        given); the same list given again is refused and changes nothing;
        a list both servers read alike is taken, and the query finds
        nothing more."""
        zone = "legacy-forms.test"
        self.create_zone(zone)
        rec = self.create_record(zone, {"name": "svc", "type": "HTTPS",
                                        "content": "1 . alpn=h2"}).data["record"]
        legacy = '1 . key1="\\001h\\002h3"'
        self.stack.sql("UPDATE records SET content = '%s' WHERE id = '%s'" % (legacy, rec["id"]))
        self.assertIn(rec["id"], self.stack.sql(documented_key1_query()))
        path = self.zone_path(zone) + "/records/" + rec["id"]
        r = self.call("PATCH", path, "/v1/zones/{zone}/records/{id}", body={"ttl": 600},
                      expect=200)
        self.assertEqual((r.data["record"]["content"], r.data["record"]["ttl"]), (legacy, 600))
        for content in ("1 . alpn=h,h3", legacy):
            with self.subTest(content=content):
                before = self.snapshot(zone)
                r = self.call("PATCH", path, "/v1/zones/{zone}/records/{id}",
                              body={"content": content}, expect=None)
                self.assertError(r, 422, "validation_failed", "bad_rdata", "content")
                self.assertIn("alpn", r.error["details"][0]["message"])
                self.assertUnchanged(zone, before, "after a PATCH to %s" % content)
        r = self.call("PATCH", path, "/v1/zones/{zone}/records/{id}",
                      body={"content": "1 . alpn=h2,h3"}, expect=200)
        self.assertEqual(r.data["record"]["content"], "1 . alpn=h2,h3")
        self.assertNotIn(rec["id"], self.stack.sql(documented_key1_query()))

    def test_obsolete_type_says_not_supported(self):
        zone = "obsolete-forms.test"
        self.create_zone(zone)
        r = self.create_record(zone, {"name": "x", "type": "SPF", "content": "\"v=spf1 -all\""},
                               expect=None)
        self.assertError(r, 422, "validation_failed", "unsupported_type", "type")
        self.assertIn("obsolete", r.error["message"])
        self.assertNotIn("parse", r.error["message"])

    def test_non_host_ns_target_is_accepted(self):
        # an NS target that is not a host name is valid DNS; dns/ says so with a
        # warning the API may pass on (target_not_hostname)
        zone = "ns-forms.test"
        self.create_zone(zone)
        r = self.create_record(zone, {"name": "sub", "type": "NS", "content": "ns\\0321.example.net."})
        self.assertEqual(r.data["record"]["content"], "ns\\0321.example.net.")


if __name__ == "__main__":
    unittest.main(verbosity=2)
