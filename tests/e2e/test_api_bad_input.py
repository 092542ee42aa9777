"""End-to-end: bad input - malformed JSON, non-object bodies, wrong types,
missing and unknown fields, bodies over DNSAPI_MAX_BODY (plain and chunked),
wrong Content-Type, garbage ids and zone names, bad query parameters. Never a
500, nothing changed, and the server keeps serving."""

import json
import os
import socket
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ApiTestCase, ZoneHelpers, check_contract  # noqa: E402

ZONE = "example.com"
MAX_BODY = 4096
REC = "/v1/zones/{zone}/records"
ONE = "/v1/zones/{zone}/records/{id}"


class BadInputTest(ZoneHelpers, ApiTestCase):
    STACK_NAME = "badinput"
    STACK_PORT = 18105
    STACK_ENV = {"DNSAPI_MAX_BODY": str(MAX_BODY)}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        r = cls.stack.request("POST", "/v1/zones", token=cls.token, body={"name": ZONE})
        assert r.status == 201, r
        r = cls.stack.request("POST", "/v1/zones/example.com/records", token=cls.token,
                              body={"name": "www", "type": "A", "content": "192.0.2.1"})
        assert r.status == 201, r
        cls.rid = r.data["record"]["id"]

    def setUp(self):
        self.before = self.snapshot(ZONE)
        self.zones_before = self.stack.sql("SELECT count(*) FROM zones")

    def tearDown(self):
        self.assertTrue(self.stack.alive(), "the server died")
        self.call("GET", "/healthz", "/healthz", token=None, expect=200)

    def unchanged(self):
        self.assertUnchanged(ZONE, self.before)
        self.assertEqual(self.stack.sql("SELECT count(*) FROM zones"), self.zones_before)

    def targets(self):
        return [("POST", "/v1/zones", "/v1/zones"),
                ("POST", "/v1/zones/example.com/records", REC),
                ("PATCH", "/v1/zones/example.com/records/" + self.rid, ONE),
                ("POST", "/v1/tokens", "/v1/tokens")]

    def raw(self, method, path, tpl, data, ctype="application/json", **kw):
        headers = {"Content-Type": ctype} if ctype is not None else {"Content-Type": None}
        return self.call(method, path, tpl, raw=data, headers=headers, **kw)

    # -- 400 --------------------------------------------------------------------

    def test_malformed_json(self):
        for data in (b'{"name":', b"{name: 'x'}", b"{'name':'x'}", b"", b"   ", b'{"name":"x"} trailing',
                     b'{"name":"x",}', b"\xff\xfe{}", b'{"name":"\xc3\x28"}', b"[" * 2000 + b"]" * 2000,
                     b'{"a":' * 500 + b"1" + b"}" * 500):
            for method, path, tpl in self.targets():
                with self.subTest(path=path, data=data[:30]):
                    r = self.raw(method, path, tpl, data)
                    self.assertError(r, 400, "bad_request")
        self.unchanged()

    def test_body_not_an_object(self):
        for data in (b"[]", b'[{"name":"x"}]', b'"example.com"', b"42", b"null", b"true"):
            for method, path, tpl in self.targets():
                with self.subTest(path=path, data=data):
                    r = self.raw(method, path, tpl, data)
                    self.assertError(r, 400, "bad_request")
        self.unchanged()

    # -- 422 --------------------------------------------------------------------

    def test_wrong_types(self):
        rec = {"name": "t", "type": "A", "content": "192.0.2.5"}
        cases = [
            ("POST", "/v1/zones", "/v1/zones", {"name": 5}, "name"),
            ("POST", "/v1/zones", "/v1/zones", {"name": ["example.org"]}, "name"),
            ("POST", "/v1/zones/example.com/records", REC, dict(rec, name=1), "name"),
            ("POST", "/v1/zones/example.com/records", REC, dict(rec, content={"ip": "192.0.2.5"}), "content"),
            ("POST", "/v1/zones/example.com/records", REC, dict(rec, ttl="3600"), "ttl"),
            ("POST", "/v1/zones/example.com/records", REC, dict(rec, ttl=3600.5), "ttl"),
            ("POST", "/v1/zones/example.com/records", REC, dict(rec, ttl=True), "ttl"),
            ("POST", "/v1/zones/example.com/records", REC, dict(rec, disabled="yes"), "disabled"),
            ("POST", "/v1/zones/example.com/records", REC, dict(rec, comment=7), "comment"),
            ("POST", "/v1/zones/example.com/records", REC,
             {"name": "m", "type": "MX", "content": "mx.example.net", "priority": "10"}, "priority"),
            ("PATCH", "/v1/zones/example.com/records/" + self.rid, ONE, {"ttl": "x"}, "ttl"),
            ("PATCH", "/v1/zones/example.com/records/" + self.rid, ONE, {"content": 1}, "content"),
            ("PATCH", "/v1/zones/example.com/records/" + self.rid, ONE, {"disabled": 0}, "disabled"),
        ]
        for method, path, tpl, body, field in cases:
            with self.subTest(body=body):
                r = self.call(method, path, tpl, body=body)
                self.assertError(r, 422, "validation_failed", "wrong_type", field)
        self.unchanged()

    def test_missing_fields(self):
        cases = [
            ("/v1/zones", "/v1/zones", {}, "name"),
            ("/v1/zones/example.com/records", REC, {"name": "m", "type": "A"}, "content"),
            ("/v1/zones/example.com/records", REC, {"name": "m", "content": "192.0.2.1"}, "type"),
            ("/v1/zones/example.com/records", REC, {"type": "A", "content": "192.0.2.1"}, "name"),
            ("/v1/tokens", "/v1/tokens", {"scopes": ["zones:read"]}, "name"),
        ]
        for path, tpl, body, field in cases:
            with self.subTest(body=body):
                r = self.call("POST", path, tpl, body=body)
                self.assertError(r, 422, "validation_failed", "missing_field", field)
        self.unchanged()

    def test_unknown_fields(self):
        cases = [
            ("POST", "/v1/zones", "/v1/zones", {"name": "new.example", "colour": "blue"}, "colour"),
            ("POST", "/v1/zones/example.com/records", REC,
             {"name": "u", "type": "A", "content": "192.0.2.1", "colour": "blue"}, "colour"),
            ("POST", "/v1/zones/example.com/records", REC,
             {"name": "u", "type": "A", "content": "192.0.2.1", "system": True}, "system"),
            ("PATCH", "/v1/zones/example.com/records/" + self.rid, ONE, {"ttl": 600, "colour": "blue"}, "colour"),
            ("PATCH", "/v1/zones/example.com/records/" + self.rid, ONE, {"id": "x"}, "id"),
        ]
        for method, path, tpl, body, field in cases:
            with self.subTest(body=body):
                r = self.call(method, path, tpl, body=body)
                self.assertEqual(r.status, 422, repr(r))
                self.assertEqual(r.error_code, "validation_failed")
                self.assertIn(field, r.detail_fields(), repr(r))
                self.assertTrue({"unknown_field", "immutable_field"} & set(r.detail_codes()), repr(r))
                if field == "colour":
                    self.assertIn("unknown_field", r.detail_codes())
        self.unchanged()

    # -- 413 --------------------------------------------------------------------

    def big_body(self, size):
        body = {"name": "big", "type": "TXT", "content": "x", "comment": ""}
        pad = size - len(json.dumps(body).encode())
        body["comment"] = "c" * pad
        data = json.dumps(body).encode()
        assert len(data) == size
        return data

    def test_body_over_limit(self):
        for size in (MAX_BODY + 1, MAX_BODY * 4, 65536):
            with self.subTest(size=size):
                r = self.raw("POST", "/v1/zones/example.com/records", REC, self.big_body(size))
                self.assertError(r, 413, "payload_too_large")
        self.unchanged()

    def test_chunked_body_over_limit(self):
        for size in (MAX_BODY + 1, MAX_BODY * 8):
            with self.subTest(size=size):
                r = self.raw("POST", "/v1/zones/example.com/records", REC, self.big_body(size), chunked=True)
                self.assertError(r, 413, "payload_too_large")
        self.unchanged()

    def test_body_at_limit_accepted(self):
        r = self.raw("POST", "/v1/zones/example.com/records", REC, self.big_body(MAX_BODY - 10))
        self.assertEqual(r.status, 201, repr(r))
        r = self.raw("POST", "/v1/zones/example.com/records", REC,
                     json.dumps({"name": "chunked", "type": "A", "content": "192.0.2.8"}).encode(), chunked=True)
        self.assertEqual(r.status, 201, "a small chunked body is fine: %r" % r)
        self.before = self.snapshot(ZONE)

    def test_lying_content_length(self):
        # A Content-Length over the limit is refused without reading the body.
        s = socket.create_connection(("127.0.0.1", self.stack.port), timeout=10)
        try:
            s.sendall(("POST /v1/zones/example.com/records HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                       "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
                       "Content-Length: 1000000000\r\n\r\n{" % self.token).encode())
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
            status = data.split(b"\r\n", 1)[0]
            self.assertIn(b" 413", status, data[:300])
        finally:
            s.close()
        self.unchanged()

    # -- 415 --------------------------------------------------------------------

    def test_wrong_content_type(self):
        good = json.dumps({"name": "ct", "type": "A", "content": "192.0.2.1"}).encode()
        for ctype in ("text/plain", "application/x-www-form-urlencoded", "text/dns", "application/xml",
                      "multipart/form-data; boundary=x", "application/jsonx", None):
            for method, path, tpl in self.targets():
                with self.subTest(ctype=ctype, path=path):
                    r = self.raw(method, path, tpl, good, ctype=ctype)
                    self.assertError(r, 415, "unsupported_media_type")
        self.unchanged()

    def test_json_with_charset_accepted(self):
        r = self.raw("POST", "/v1/zones/example.com/records", REC,
                     json.dumps({"name": "cs", "type": "A", "content": "192.0.2.1"}).encode(),
                     ctype="application/json; charset=utf-8")
        self.assertEqual(r.status, 201, repr(r))
        self.before = self.snapshot(ZONE)

    # -- 404 --------------------------------------------------------------------

    def test_garbage_ids_and_names(self):
        ids = ["nope", "00000000-0000-0000-0000-000000000000", self.rid.upper() + "0", self.rid[:-1],
               "1", "-1", "%27%20OR%201%3D1", "x" * 3000, "%2F", "..%2F..", "%00", "%FF", "%"]
        for rid in ids:
            for method, body in (("GET", None), ("PATCH", {"ttl": 600}), ("DELETE", None)):
                with self.subTest(method=method, id=rid[:40]):
                    r = self.call(method, "/v1/zones/example.com/records/" + rid, ONE, body=body)
                    self.assertError(r, 404, "not_found")
        zones = ["nope.example", "%2F", "example.com%2Frecords", "a%2Fb", "..", "%2e%2e", "example.com..",
                 "x" * 300, "%00", "%FF", "%20example.com", "ex%5Cample.com"]
        for z in zones:
            for method, suffix, tpl in (("GET", "", "/v1/zones/{zone}"), ("DELETE", "", "/v1/zones/{zone}"),
                                        ("GET", "/records", REC), ("GET", "/records/" + self.rid, ONE)):
                with self.subTest(method=method, zone=z[:40], suffix=suffix):
                    r = self.call(method, "/v1/zones/" + z + suffix, tpl)
                    self.assertError(r, 404, "not_found")
        self.unchanged()

    def test_unknown_paths(self):
        for path in ("/", "/v1", "/v1/", "/v2/zones", "/v1/zonez", "/v1/zones/example.com/recordz",
                     "/v1/zones/example.com/records/" + self.rid + "/extra", "/v1/zones/%2F/records/%2F",
                     "/healthz/x"):
            with self.subTest(path=path):
                r = self.call("GET", path, None)
                self.assertError(r, 404, "not_found")

    # -- query parameters ------------------------------------------------------------

    def test_bad_query_parameters(self):
        for qs, field in (("limit=abc", "limit"), ("limit=-1", "limit"), ("limit=0", "limit"),
                          ("limit=1001", "limit"), ("limit=99999999999999999999", "limit"),
                          ("offset=-5", "offset"), ("offset=x", "offset"), ("cursor=garbage", "cursor"),
                          ("cursor=%00%FF", "cursor")):
            with self.subTest(qs=qs):
                r = self.call("GET", "/v1/zones/example.com/records?" + qs, REC)
                self.assertError(r, 422, "validation_failed", field=field)
        r = self.call("GET", "/v1/zones?limit=abc", "/v1/zones")
        self.assertError(r, 422, "validation_failed", field="limit")

    def test_check_contract_rejects_undocumented(self):
        # guard: the contract checker itself must be able to fail
        r = self.call("GET", "/healthz", None, token=None, expect=200)
        r.status = 299
        with self.assertRaises(AssertionError):
            check_contract(self.spec, "GET", "/healthz", r)


if __name__ == "__main__":
    unittest.main(verbosity=2)
