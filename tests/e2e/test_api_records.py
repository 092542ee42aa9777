"""End-to-end: records API - the issue's curl examples, system records, CRUD,
PATCH, filters, serial arithmetic, MX/SRV priority, TXT, every writable type."""

import datetime
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ApiTestCase, ZoneHelpers, query  # noqa: E402

ZONE = "example.com"
SYS_NS = ["ns1.dnsapi.test.", "ns2.dnsapi.test."]


class RecordsTest(ZoneHelpers, ApiTestCase):
    STACK_NAME = "records"
    STACK_PORT = 18102

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The first curl example, byte for byte.
        r = cls.stack.request("POST", "/v1/zones", token=cls.token,
                              headers={"Content-Type": "application/json"},
                              raw=b'{"name":"example.com"}')
        cls.zone_create_response = r

    # -- the curl examples ---------------------------------------------------

    def test_01_create_zone_example(self):
        r = self.zone_create_response
        self.assertEqual(r.status, 201, repr(r))
        from harness import check_contract
        check_contract(self.spec, "POST", "/v1/zones", r)
        self.assertEqual(r.json["status"], "success")
        self.assertEqual(r.data["message"], "Zone created successfully")
        z = r.data["zone"]
        self.assertEqual(z["name"], "example.com.")
        self.assertEqual(z["nameservers"], SYS_NS)
        self.assertEqual(z["status"], "pending")
        self.assertIsNone(z["published_serial"])
        self.assertEqual(z["serial"] % 100, 1, "a new zone starts at YYYYMMDD01: %r" % z)
        today = datetime.datetime.now(datetime.timezone.utc).date()
        days = {int((today + datetime.timedelta(days=d)).strftime("%Y%m%d")) for d in (-1, 0, 1)}
        self.assertIn(z["serial"] // 100, days, "serial date part: %r" % z)

    def test_02_create_ns_record_example(self):
        raw = b'{"name":"subdomain","type":"NS","content":"ns1.other-provider.com","ttl":86400}'
        before = self.get_zone(ZONE)["serial"]
        r = self.call("POST", "/v1/zones/example.com/records", "/v1/zones/{zone}/records",
                      headers={"Content-Type": "application/json"}, raw=raw, expect=201)
        self.assertEqual(r.json["status"], "success")
        self.assertEqual(r.data["message"], "Record created successfully")
        rec = r.data["record"]
        self.assertTrue(isinstance(rec["id"], str) and rec["id"])
        expect = {"name": "subdomain.example.com.", "type": "NS", "content": "ns1.other-provider.com.",
                  "ttl": 86400, "disabled": False, "system": False}
        self.assertEqual({k: rec[k] for k in expect}, expect)
        self.assertNotIn("priority", rec, "priority is for MX/SRV only")
        # A single NS may warn single_ns (design: warnings), but an out-of-zone target needs no glue.
        self.assertNotIn("missing_glue", [w["code"] for w in r.data.get("warnings", [])])
        self.assertEqual(r.data["serial"], before + 1)
        self.assertEqual(self.get_zone(ZONE)["serial"], before + 1)

    def test_03_aws_delegation(self):
        targets = ["ns-123.awsdns-12.com", "ns-456.awsdns-34.net", "ns-789.awsdns-56.org",
                   "ns-012.awsdns-78.co.uk"]
        for t in targets:
            r = self.create_record(ZONE, {"name": "aws", "type": "NS", "content": t, "ttl": 3600})
            self.assertEqual(r.data["record"]["name"], "aws.example.com.")
            self.assertEqual(r.data["record"]["ttl"], 3600)
        for name in ("aws", "aws.example.com.", "aws.example.com"):
            r = self.call("GET", "/v1/zones/example.com/records" + query(name=name, type="NS"),
                          "/v1/zones/{zone}/records", expect=200)
            recs = r.data["records"]
            self.assertEqual(sorted(x["content"] for x in recs), sorted(t + "." for t in targets),
                             "name=%s: %r" % (name, r))
            self.assertTrue(all(x["name"] == "aws.example.com." and x["type"] == "NS" and x["ttl"] == 3600
                                for x in recs))
            self.assertEqual(r.data["pagination"]["total"], 4)
            self.assertEqual(r.data["pagination"]["count"], 4)
            self.assertFalse(r.data["pagination"]["has_more"])
            self.assertIsNone(r.data["pagination"]["next_cursor"])

    # -- system records --------------------------------------------------------

    def system_records(self, zone):
        return [x for x in self.list_records(zone) if x["system"]]

    def test_10_system_records_exist(self):
        self.create_zone("sys.test")
        z = self.get_zone("sys.test")
        recs = self.list_records("sys.test")
        self.assertEqual(len(recs), 3, "a new zone holds its SOA and two apex NS: %r" % recs)
        soa = [x for x in recs if x["type"] == "SOA"]
        ns = [x for x in recs if x["type"] == "NS"]
        self.assertEqual(len(soa), 1)
        self.assertEqual(sorted(x["content"] for x in ns), SYS_NS)
        for x in ns:
            self.assertEqual(x["name"], "sys.test.")
            self.assertEqual(x["ttl"], 86400)
            self.assertIs(x["system"], True)
        s = soa[0]
        self.assertIs(s["system"], True)
        self.assertEqual(s["name"], "sys.test.")
        f = s["content"].split()
        self.assertEqual(len(f), 7, "SOA content: mname rname serial refresh retry expire minimum: %r" % s)
        self.assertEqual(f[0], "ns1.dnsapi.test.", "mname is the first configured name server")
        self.assertEqual(f[1], "hostmaster.dnsapi.test.", "rname defaults to hostmaster.<first NS domain>")
        self.assertEqual(int(f[2]), z["serial"], "SOA serial equals the zone's serial")
        refresh, retry, expire, minimum = (int(v) for v in f[3:7])
        self.assertTrue(600 <= refresh <= 86400 and 60 <= retry < refresh and expire > refresh + retry
                        and 60 <= minimum <= 86400, "SOA timers not sane: %r" % s)

    def test_11_system_records_protected(self):
        zone = "protect.test"
        self.create_zone(zone)
        recs = self.list_records(zone)
        soa = [x for x in recs if x["type"] == "SOA"][0]
        ns = [x for x in recs if x["type"] == "NS"][0]
        before = self.snapshot(zone)
        zp = self.zone_path(zone)
        attempts = [
            ("POST", zp + "/records", "/v1/zones/{zone}/records",
             {"name": "@", "type": "NS", "content": "ns3.other-provider.com"}),
            ("POST", zp + "/records", "/v1/zones/{zone}/records",
             {"name": "protect.test.", "type": "NS", "content": "ns3.other-provider.com", "ttl": 86400}),
            ("POST", zp + "/records", "/v1/zones/{zone}/records",
             {"name": "PROTECT.TEST", "type": "ns", "content": "ns4.other-provider.com"}),
            ("POST", zp + "/records", "/v1/zones/{zone}/records",
             {"name": "@", "type": "SOA",
              "content": "ns1.evil.test. hostmaster.evil.test. 1 7200 3600 1209600 3600"}),
            ("PATCH", zp + "/records/" + soa["id"], "/v1/zones/{zone}/records/{id}", {"ttl": 600}),
            ("PATCH", zp + "/records/" + soa["id"], "/v1/zones/{zone}/records/{id}",
             {"content": "ns1.evil.test. hostmaster.evil.test. 1 7200 3600 1209600 3600"}),
            ("PATCH", zp + "/records/" + ns["id"], "/v1/zones/{zone}/records/{id}",
             {"content": "ns9.evil.test"}),
            ("PATCH", zp + "/records/" + ns["id"], "/v1/zones/{zone}/records/{id}", {"disabled": True}),
            ("PATCH", zp + "/records/" + ns["id"], "/v1/zones/{zone}/records/{id}", {"comment": "x"}),
            ("DELETE", zp + "/records/" + soa["id"], "/v1/zones/{zone}/records/{id}", None),
            ("DELETE", zp + "/records/" + ns["id"], "/v1/zones/{zone}/records/{id}", None),
        ]
        for method, path, tpl, body in attempts:
            with self.subTest(method=method, body=body):
                r = self.call(method, path, tpl, body=body)
                self.assertError(r, 403, "system_record")
                msg = r.error["message"].lower()
                is_soa = (body or {}).get("type") == "SOA" or path.endswith(soa["id"])
                if is_soa:
                    self.assertIn("soa", msg, "the message says why: %r" % r)
                else:
                    self.assertIn("ns", msg.split(), "the message says why: %r" % r)
                    self.assertIn("subdomain", msg,
                                  "the message should say NS records for subdomains are allowed: %r" % r)
        self.assertUnchanged(zone, before, "after system-record attempts")
        # ... and NS for a subdomain is fine.
        self.create_record(zone, {"name": "child", "type": "NS", "content": "ns3.other-provider.com"})

    # -- CRUD ------------------------------------------------------------------

    def test_20_crud_and_serial(self):
        zone = "crud.test"
        z = self.create_zone(zone)
        s0 = z["serial"]
        r = self.create_record(zone, {"name": "WWW", "type": "a", "content": "192.0.2.1"})
        rec = r.data["record"]
        self.assertEqual((rec["name"], rec["type"], rec["content"], rec["ttl"]),
                         ("www.crud.test.", "A", "192.0.2.1", 3600), "defaults and normalization")
        self.assertIs(rec["disabled"], False)
        self.assertIsNone(rec["comment"])
        self.assertEqual(r.data["serial"], s0 + 1)
        self.assertEqual(self.get_zone(zone)["serial"], s0 + 1)
        rid = rec["id"]
        # {zone} may be the id, the name, or the name with the trailing dot.
        for zref in (zone, zone + ".", z["id"]):
            g = self.call("GET", self.zone_path(zref) + "/records/" + rid, "/v1/zones/{zone}/records/{id}",
                          expect=200)
            self.assertEqual(g.data["record"], rec)
            self.assertEqual(self.get_zone(zref)["id"], z["id"])
        # PATCH each mutable field.
        p = self.call("PATCH", self.zone_path(zone) + "/records/" + rid, "/v1/zones/{zone}/records/{id}",
                      body={"content": "192.0.2.2", "ttl": 600, "disabled": True, "comment": "moved"},
                      expect=200)
        self.assertEqual(p.data["message"], "Record updated successfully")
        got = p.data["record"]
        self.assertEqual((got["id"], got["content"], got["ttl"], got["disabled"], got["comment"]),
                         (rid, "192.0.2.2", 600, True, "moved"))
        self.assertEqual(p.data["serial"], s0 + 2)
        self.assertEqual(self.get_zone(zone)["serial"], s0 + 2)
        g = self.call("GET", self.zone_path(zone) + "/records/" + rid, "/v1/zones/{zone}/records/{id}",
                      expect=200)
        self.assertEqual(g.data["record"], got, "GET after PATCH shows the stored record")
        p = self.call("PATCH", self.zone_path(zone) + "/records/" + rid, "/v1/zones/{zone}/records/{id}",
                      body={"comment": None, "disabled": False}, expect=200)
        self.assertIsNone(p.data["record"]["comment"])
        self.assertIs(p.data["record"]["disabled"], False)
        self.assertEqual(p.data["serial"], s0 + 3)
        # name and type are immutable.
        before = self.snapshot(zone)
        for body, field in (({"name": "other"}, "name"), ({"type": "AAAA"}, "type"),
                            ({"name": "www", "ttl": 300}, "name")):
            with self.subTest(body=body):
                r = self.call("PATCH", self.zone_path(zone) + "/records/" + rid,
                              "/v1/zones/{zone}/records/{id}", body=body)
                self.assertError(r, 422, "validation_failed", "immutable_field", field)
        self.assertUnchanged(zone, before, "after immutable-field PATCHes")
        # DELETE.
        d = self.call("DELETE", self.zone_path(zone) + "/records/" + rid, "/v1/zones/{zone}/records/{id}",
                      expect=200)
        self.assertEqual(d.data["message"], "Record deleted successfully")
        self.assertEqual(d.data["serial"], s0 + 4)
        self.assertEqual(self.get_zone(zone)["serial"], s0 + 4)
        g = self.call("GET", self.zone_path(zone) + "/records/" + rid, "/v1/zones/{zone}/records/{id}")
        self.assertError(g, 404, "not_found")
        d = self.call("DELETE", self.zone_path(zone) + "/records/" + rid, "/v1/zones/{zone}/records/{id}")
        self.assertError(d, 404, "not_found")
        self.assertEqual(self.get_zone(zone)["serial"], s0 + 4, "a failed delete does not bump the serial")
        self.assertEqual([x for x in self.list_records(zone) if not x["system"]], [])

    def test_22_every_record_endpoint_by_zone_id(self):
        """{zone} given as the zone's id: create (with a relative name), list
        with a relative name filter, get, PATCH, delete."""
        zone = "byid.test"
        zid = self.create_zone(zone)["id"]
        base = self.zone_path(zid) + "/records"
        c = self.call("POST", base, "/v1/zones/{zone}/records",
                      body={"name": "www", "type": "CNAME", "content": "target.byid.test"}, expect=201)
        rec = c.data["record"]
        self.assertEqual((rec["name"], rec["content"]), ("www.byid.test.", "target.byid.test."))
        lst = self.call("GET", base + "?name=www", "/v1/zones/{zone}/records", expect=200)
        self.assertEqual(lst.data["records"], [rec])
        self.call("POST", base, "/v1/zones/{zone}/records",
                  body={"name": "www", "type": "A", "content": "192.0.2.1"}, expect=409)
        g = self.call("GET", base + "/" + rec["id"], "/v1/zones/{zone}/records/{id}", expect=200)
        self.assertEqual(g.data["record"], rec)
        p = self.call("PATCH", base + "/" + rec["id"], "/v1/zones/{zone}/records/{id}",
                      body={"content": "other.byid.test", "ttl": 300}, expect=200)
        self.assertEqual((p.data["record"]["content"], p.data["record"]["ttl"]), ("other.byid.test.", 300))
        self.call("DELETE", base + "/" + rec["id"], "/v1/zones/{zone}/records/{id}", expect=200)
        self.assertEqual([x for x in self.list_records(zid) if not x["system"]], [])
        other = "00000000-0000-4000-8000-000000000000"
        for method, path, body in (("GET", "/v1/zones/%s/records" % other, None),
                                   ("POST", "/v1/zones/%s/records" % other,
                                    {"name": "a", "type": "A", "content": "192.0.2.1"}),
                                   ("GET", "/v1/zones/%s/records?name=www" % other, None)):
            with self.subTest(method=method, path=path):
                self.assertError(self.call(method, path, "/v1/zones/{zone}/records", body=body),
                                 404, "not_found")

    def test_21_record_of_other_zone_is_404(self):
        self.create_zone("one.test")
        self.create_zone("two.test")
        rid = self.create_record("one.test", {"name": "a", "type": "A", "content": "192.0.2.7"}).data["record"]["id"]
        before = self.snapshot("one.test")
        for method, body in (("GET", None), ("PATCH", {"ttl": 120}), ("DELETE", None)):
            r = self.call(method, "/v1/zones/two.test/records/" + rid, "/v1/zones/{zone}/records/{id}", body=body)
            self.assertError(r, 404, "not_found")
        self.assertUnchanged("one.test", before)

    # -- filters -----------------------------------------------------------------

    def test_30_filters(self):
        zone = "filter.test"
        self.create_zone(zone)
        for body in ({"name": "www", "type": "A", "content": "192.0.2.1"},
                     {"name": "www", "type": "A", "content": "192.0.2.2"},
                     {"name": "www", "type": "AAAA", "content": "2001:DB8::0001"},
                     {"name": "mail", "type": "A", "content": "192.0.2.1"},
                     {"name": "@", "type": "TXT", "content": "v=spf1 mx -all"}):
            self.create_record(zone, body)
        def names(**params):
            r = self.list_page(zone, **params)
            return sorted((x["name"], x["type"], x["content"]) for x in r.data["records"])
        self.assertEqual(names(name="www", type="A"),
                         [("www.filter.test.", "A", "192.0.2.1"), ("www.filter.test.", "A", "192.0.2.2")])
        self.assertEqual(names(name="www.filter.test.", type="aaaa"),
                         [("www.filter.test.", "AAAA", "2001:db8::1")], "AAAA normalized; type any case")
        self.assertEqual(names(content="192.0.2.1"),
                         [("mail.filter.test.", "A", "192.0.2.1"), ("www.filter.test.", "A", "192.0.2.1")])
        self.assertEqual(names(content="2001:db8::1"), [("www.filter.test.", "AAAA", "2001:db8::1")])
        self.assertEqual(names(name="@", type="TXT"), [("filter.test.", "TXT", "v=spf1 mx -all")])
        self.assertEqual(len(names(name="@")), 4, "apex: SOA, 2 NS, TXT")
        self.assertEqual(names(name="nothing-here"), [])
        self.assertEqual(names(type="MX"), [])
        r = self.list_page(zone, type="A")
        self.assertEqual(r.data["pagination"]["total"], 3)

    # -- content by type -----------------------------------------------------------

    def test_40_mx_srv_priority(self):
        zone = "prio.test"
        self.create_zone(zone)
        r = self.create_record(zone, {"name": "@", "type": "MX", "content": "mail.prio.test", "priority": 10})
        rec = r.data["record"]
        self.assertEqual((rec["priority"], rec["content"]), (10, "mail.prio.test."))
        r = self.create_record(zone, {"name": "@", "type": "MX", "content": "20 mail2.prio.test."})
        rec2 = r.data["record"]
        self.assertEqual((rec2["priority"], rec2["content"]), (20, "mail2.prio.test."),
                         "priority given in content comes back as its own field")
        r = self.create_record(zone, {"name": "_sip._tcp", "type": "SRV", "content": "10 5 5223 sip.prio.test"})
        srv = r.data["record"]
        self.assertEqual((srv["name"], srv["priority"], srv["content"]),
                         ("_sip._tcp.prio.test.", 10, "5 5223 sip.prio.test."))
        r = self.create_record(zone, {"name": "_xmpp._tcp", "type": "SRV", "content": "0 5269 xmpp.prio.test",
                                      "priority": 5})
        self.assertEqual((r.data["record"]["priority"], r.data["record"]["content"]),
                         (5, "0 5269 xmpp.prio.test."))
        p = self.call("PATCH", self.zone_path(zone) + "/records/" + rec["id"], "/v1/zones/{zone}/records/{id}",
                      body={"priority": 30}, expect=200)
        self.assertEqual((p.data["record"]["priority"], p.data["record"]["content"]), (30, "mail.prio.test."))
        # The same MX given both ways is a duplicate.
        r = self.create_record(zone, {"name": "@", "type": "MX", "content": "30 mail.prio.test"}, expect=None)
        self.assertError(r, 409, "duplicate")
        for x in self.list_records(zone):
            if x["type"] in ("MX", "SRV"):
                self.assertIn("priority", x)
            else:
                self.assertNotIn("priority", x, "priority only on MX/SRV: %r" % x)

    def test_41_txt(self):
        zone = "txt.test"
        self.create_zone(zone)
        spf = "v=spf1 mx -all"
        dkim = "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu5"
        long_txt = "k=" + "".join("%03d" % (i % 1000) for i in range(200))  # 602 bytes
        for name, content in (("@", spf), ("sel._domainkey", dkim), ("long", long_txt)):
            r = self.create_record(zone, {"name": name, "type": "TXT", "content": content})
            self.assertEqual(r.data["record"]["content"], content, "TXT content is stored as given")
        r = self.list_page(zone, name="long", type="TXT")
        self.assertEqual([x["content"] for x in r.data["records"]], [long_txt])
        # Exported as several character-strings of at most 255 bytes.
        e = self.call("GET", self.zone_path(zone) + "/export", "/v1/zones/{zone}/export", expect=200)
        text = e.body.decode("utf-8")
        self.assertIn("TXT", text)
        strings = re.findall(r'"((?:[^"\\]|\\.)*)"', text)
        runs = [strings[i:j] for i in range(len(strings)) for j in range(i + 2, len(strings) + 1)
                if "".join(strings[i:j]) == long_txt]
        self.assertTrue(runs, "the long TXT is exported as consecutive character-strings: %s" % text)
        self.assertTrue(all(len(x) <= 255 for x in runs[0]), runs[0])
        self.assertGreaterEqual(len(runs[0]), 3, "602 bytes need three strings")
        self.assertIn(spf, strings, "a short TXT is one string")
        # The same text quoted is the same record: a duplicate, nothing changes.
        before = self.snapshot(zone)
        for content in ('"%s"' % spf, '"%s" "%s"' % (long_txt[:255], long_txt[255:510]) + ' "%s"' % long_txt[510:]):
            with self.subTest(content=content[:30]):
                name = "@" if content.startswith('"v=') else "long"
                r = self.create_record(zone, {"name": name, "type": "TXT", "content": content}, expect=None)
                self.assertError(r, 409, "duplicate")
        self.assertUnchanged(zone, before, "after quoted duplicates")
        # Quoted text that has no literal spelling stays quoted.
        r = self.create_record(zone, {"name": "two", "type": "TXT", "content": '"a" "b"'})
        self.assertEqual(r.data["record"]["content"], '"a" "b"')
        r = self.create_record(zone, {"name": "one", "type": "TXT", "content": '"just one"'})
        self.assertEqual(r.data["record"]["content"], "just one", "a single quoted string is stored as its text")

    def test_46_export(self):
        zone = "export.test"
        self.create_zone(zone)
        self.create_record(zone, {"name": "on", "type": "A", "content": "192.0.2.1"})
        self.create_record(zone, {"name": "off", "type": "A", "content": "192.0.2.2", "disabled": True})
        z = self.get_zone(zone)
        e = self.call("GET", self.zone_path(zone) + "/export", "/v1/zones/{zone}/export", expect=200)
        text = e.body.decode("utf-8")
        self.assertIn("192.0.2.1", text)
        self.assertNotIn("192.0.2.2", text, "disabled records are left out of the master file")
        soa = [l.split() for l in text.splitlines() if "SOA" in l.split()]
        self.assertEqual(len(soa), 1, text)
        self.assertIn(str(z["serial"]), soa[0], "the exported SOA carries the zone's serial")
        for ns in SYS_NS:
            self.assertIn(ns, text)

    def test_47_concurrent_writes_one_serial_step_each(self):
        import threading
        zone = "busy.test"
        self.create_zone(zone)
        s0 = self.get_zone(zone)["serial"]
        results, lock = [], threading.Lock()

        def worker(k):
            for i in range(25):
                r = self.stack.request("POST", "/v1/zones/busy.test/records", token=self.token,
                                       body={"name": "w%d-%d" % (k, i), "type": "A", "content": "192.0.2.%d" % (i + 1)})
                with lock:
                    results.append(r)

        threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        self.assertEqual(len(results), 100)
        self.assertEqual([r.status for r in results if r.status != 201], [])
        serials = sorted(r.data["serial"] for r in results)
        self.assertEqual(serials, list(range(s0 + 1, s0 + 101)), "each write got its own serial step")
        self.assertEqual(self.get_zone(zone)["serial"], s0 + 100)
        self.assertEqual(self.record_count_sql(zone), 103)

    def test_48_keep_alive(self):
        import http.client
        conn = http.client.HTTPConnection("127.0.0.1", self.stack.port, timeout=10)
        try:
            for i in range(5):
                conn.request("GET", "/v1/zones", headers={"Authorization": "Bearer " + self.token})
                r = conn.getresponse()
                r.read()
                self.assertEqual(r.status, 200)
            conn.request("GET", "/v1/zones")
            r = conn.getresponse()
            r.read()
            self.assertEqual(r.status, 401)
            conn.request("GET", "/healthz")
            r = conn.getresponse()
            r.read()
            self.assertEqual(r.status, 200, "the connection survives an error answer")
        finally:
            conn.close()

    def test_42_every_type(self):
        zone = "types.test"
        self.create_zone(zone)
        exact = [
            ({"name": "a", "type": "A", "content": "192.0.2.10"}, "192.0.2.10"),
            ({"name": "aaaa", "type": "AAAA", "content": "2001:0db8:0000:0000:0000:0000:0000:0001"}, "2001:db8::1"),
            ({"name": "cname", "type": "CNAME", "content": "Target.Example.NET"}, "target.example.net."),
            ({"name": "ns", "type": "NS", "content": "ns.example.net."}, "ns.example.net."),
            ({"name": "1.2", "type": "PTR", "content": "host.example.net"}, "host.example.net."),
        ]
        for body, content in exact:
            with self.subTest(type=body["type"]):
                r = self.create_record(zone, body)
                self.assertEqual(r.data["record"]["type"], body["type"])
                self.assertEqual(r.data["record"]["content"], content)
        others = [
            {"name": "@", "type": "MX", "content": "10 mx.example.net"},
            {"name": "_s._tcp", "type": "SRV", "content": "1 2 3 srv.example.net"},
            {"name": "@", "type": "CAA", "content": '0 issue "letsencrypt.org"'},
            {"name": "sub", "type": "DS",
             "content": "12345 13 2 3AA5AB37EFCE57F737FC1627013FEE07BDF241BD10F3B1964AB55C78E79A304B"},
            {"name": "_443._tcp", "type": "TLSA",
             "content": "3 1 1 0C72AC70B745AC19998811B131D662C9AC69DBDBE7CB23E5B514B56664C5D3D6"},
            {"name": "ssh", "type": "SSHFP", "content": "4 2 " + "0123456789ABCDEF" * 4},
            {"name": "naptr", "type": "NAPTR", "content": '100 10 "U" "E2U+sip" "!^.*$!sip:info@example.net!" .'},
            {"name": "svc", "type": "SVCB", "content": "1 svc.example.net. alpn=h2"},
            {"name": "@", "type": "HTTPS", "content": "1 . alpn=h2,h3"},
        ]
        for body in others:
            with self.subTest(type=body["type"]):
                r = self.create_record(zone, body)
                rec = r.data["record"]
                self.assertEqual(rec["type"], body["type"])
                g = self.call("GET", self.zone_path(zone) + "/records/" + rec["id"],
                              "/v1/zones/{zone}/records/{id}", expect=200)
                self.assertEqual(g.data["record"], rec)
                # Normalized content is stable: creating it again is an exact duplicate.
                again = dict(body, content=rec["content"])
                if "priority" in rec:
                    again["priority"] = rec["priority"]
                d = self.create_record(zone, again, expect=None)
                self.assertError(d, 409, "duplicate")

    def test_43_single_label_target_refused(self):
        zone = "label.test"
        self.create_zone(zone)
        before = self.snapshot(zone)
        for body in ({"name": "x", "type": "CNAME", "content": "target"},
                     {"name": "sub", "type": "NS", "content": "ns1"},
                     {"name": "@", "type": "MX", "content": "10 mail"}):
            with self.subTest(body=body):
                r = self.create_record(zone, body, expect=None)
                self.assertError(r, 422, "validation_failed", "bad_rdata", "content")
        self.assertUnchanged(zone, before)

    def test_44_ns_default_ttl(self):
        zone = "ttl.test"
        self.create_zone(zone)
        r = self.create_record(zone, {"name": "deleg", "type": "NS", "content": "ns.example.net"})
        self.assertEqual(r.data["record"]["ttl"], 86400, "NS default TTL")
        r = self.create_record(zone, {"name": "txt", "type": "TXT", "content": "hello"})
        self.assertEqual(r.data["record"]["ttl"], 3600, "default TTL")

    def test_45_serial_one_per_write(self):
        zone = "serial.test"
        self.create_zone(zone)
        ids = []
        for i in range(5):
            s = self.get_zone(zone)["serial"]
            r = self.create_record(zone, {"name": "h%d" % i, "type": "A", "content": "192.0.2.%d" % (i + 1)})
            self.assertEqual(r.data["serial"], s + 1)
            self.assertEqual(self.get_zone(zone)["serial"], s + 1)
            ids.append(r.data["record"]["id"])
        soa = [x for x in self.list_records(zone) if x["type"] == "SOA"][0]
        z = self.get_zone(zone)
        self.assertEqual(int(soa["content"].split()[2]), z["serial"],
                         "the SOA record's serial follows the zone serial")
        self.assertEqual(soa["updated_at"], z["updated_at"], "and the SOA changed when the zone did")
        one = self.call("GET", self.zone_path(zone) + "/records/" + soa["id"], "/v1/zones/{zone}/records/{id}",
                        expect=200)
        self.assertEqual(one.data["record"], soa, "GET of the SOA shows the same")
        # A refused write changes nothing.
        s = self.get_zone(zone)["serial"]
        self.create_record(zone, {"name": "h0", "type": "A", "content": "192.0.2.1"}, expect=409)
        self.assertEqual(self.get_zone(zone)["serial"], s)


if __name__ == "__main__":
    unittest.main(verbosity=2)
