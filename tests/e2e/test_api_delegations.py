"""End to end: the delegation endpoints against real name servers on loopback.

The scenario of tests/e2e/deleg_scenario.py (a root and test. on NSD, child
zones on Knot and NSD, provider.test. for name servers outside the zone,
servers that are silent, answer junk or are absent, and Debian's unbound
recursing from the loopback root), with one difference from
test_deleg_live.py: the parent zone example.test. lives in dnsapi. It is
created through the API (its apex NS set is DNSAPI_NAMESERVERS, the rest one
batch), exported through the API and served by the scenario's NSD at PARENT.

  GET  /v1/zones/{zone}/delegations[/{name}]    every static problem code
  POST /v1/zones/{zone}/delegations/{name}/check  every live verdict
  POST /v1/zones/{zone}/check                   the parent's referral and the
                                                zone's own servers
  GET  /v1/zones?contains=NAME                  the zone holding a name

and their error paths (404 unknown zone or not a delegation, 422 bad name,
401, 403), a check whose client leaves early, the loop answering other
requests while a check waits on a silent server, and unbound resolving below
a delegation made through the API, then following it after it was changed
through the API. Every DNS client here names a loopback server.
"""

import os
import shutil
import socket
import sys
import threading
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import deleg_scenario as S  # noqa: E402
import dnsfleet as F  # noqa: E402
from harness import ApiTestCase, ZoneHelpers, q, query, tport  # noqa: E402

RESOLVER_PORT = tport(15462)
Z = S.ZONE
D = "/v1/zones/{zone}/delegations"
D1 = "/v1/zones/{zone}/delegations/{name}"
DC = "/v1/zones/{zone}/delegations/{name}/check"
ZC = "/v1/zones/{zone}/check"
NAMES = ["broken", "ext", "good", "lame", "mismatch", "moved", "nobody", "noglue", "silent",
         "stale", "wrongglue"]


class DelegationApiTest(S.LiveVerdicts, ZoneHelpers, ApiTestCase):
    STACK_NAME = "delegations"
    STACK_PORT = 18172
    STACK_ENV = {
        "DNSAPI_NAMESERVERS": "ns1.example.test.",
        "DNSAPI_RESOLVER": "127.0.0.1:%d" % RESOLVER_PORT,
        "DNSAPI_TTL_MIN": "1",
        # one loop: a check waiting on a silent server must not hold it up
        "DNSAPI_THREADS": "1",
    }

    @classmethod
    def setUpClass(cls):
        for tool in ("nsd", "knotd", "knotc", "unbound", "unbound-checkconf"):
            if shutil.which(tool) is None:
                raise unittest.SkipTest("%s is not installed" % tool)
        cls.fleet = F.Fleet()
        try:
            cls.sc = S.Scenario().build(cls.fleet)
            cls.fleet.start()
            cls.resolver = cls.fleet.unbound(RESOLVER_PORT, [("ns.rootsrv.", S.ROOT)])
            super().setUpClass()
        except BaseException:
            print(cls.fleet.log_tails(), file=sys.stderr)
            cls.fleet.stop()
            raise
        try:
            cls.build_parent()
        except BaseException:
            print(cls.fleet.log_tails(), file=sys.stderr)
            cls.tearDownClass()
            raise

    @classmethod
    def stop_resources(cls):
        cls.fleet.stop()

    # ---- the parent zone, through the API

    @classmethod
    def api(cls, method, path, body=None, token=None, expect=None):
        r = cls.stack.request(method, path, token=token or cls.token, body=body)
        if expect is not None and r.status != expect:
            raise AssertionError("%s %s: %r" % (method, path, r))
        return r

    @classmethod
    def build_parent(cls):
        cls.api("POST", "/v1/zones", {"name": Z}, expect=201)
        # the write rules refuse an in-zone name server without an address (name
        # servers refuse such a zone), but noglue's can still be there from before
        # them: put it in the table directly
        def before_rules(t, c):
            return t == "NS" and c == "ns1.noglue.example.test."
        records = [(S.Scenario.absolute(n), ttl, t, c) for n, ttl, t, c in cls.sc.parent_records
                   if not (n == "@" and t == "NS")]
        posts = [{"name": n, "type": t, "content": c, "ttl": ttl}
                 for n, ttl, t, c in records if not before_rules(t, c)]
        cls.api("POST", "/v1/zones/%s/records/batch" % Z, {"posts": posts}, expect=200)
        for n, ttl, t, c in records:
            if before_rules(t, c):
                cls.stack.sql("INSERT INTO records (zone_id, account_id, name, type, content, ttl)"
                              " SELECT id, account_id, '%s', '%s', '%s', %d FROM zones"
                              " WHERE name = '%s'" % (n, t, c, ttl, Z))
        cls.publish()

    @classmethod
    def publish(cls):
        """The zone as the API exports it, served by the parent's NSD."""
        serial = cls.api("GET", "/v1/zones/" + Z, expect=200).data["zone"]["serial"]
        text = cls.api("GET", "/v1/zones/%s/export" % Z, expect=200).body.decode()
        cls.sc.parent.set_zone(Z, text, serial)
        return serial

    # ---- helpers

    def path(self, name=None, check=False, zone=Z):
        p = "/v1/zones/%s/delegations" % q(zone)
        if name is not None:
            p += "/" + q(name)
        return p + ("/check" if check else "")

    def check(self, label, expect=200, **kw):
        r = self.call("POST", self.path(label, check=True), DC, expect=expect, **kw)
        return r.data["check"] if expect == 200 else r

    def zone_check(self, zone=Z, expect=200, **kw):
        r = self.call("POST", "/v1/zones/%s/check" % q(zone), ZC, expect=expect, **kw)
        return r.data["zone_check"] if expect == 200 else r

    # ---- static analysis

    def test_list_shows_every_delegation_in_dns_order(self):
        r = self.call("GET", self.path(), D, expect=200)
        self.assertEqual([d["name"] for d in r.data["delegations"]],
                         ["%s.%s" % (n, Z) for n in NAMES])
        self.assertEqual(r.data["pagination"]["total"], len(NAMES))
        by = {d["name"]: d for d in r.data["delegations"]}
        good = by["good." + Z]
        self.assertTrue(good["ok"])
        self.assertEqual([(t["target"], t["location"], t["glue"], t["addresses"])
                          for t in good["ns"]],
                         [("ns1.good.example.test.", "below_cut", "present", [S.CHILD_KNOT]),
                          ("ns2.good.example.test.", "below_cut", "present", [S.CHILD_NSD])])
        noglue = by["noglue." + Z]
        self.assertEqual([(p["code"], p["subject"]) for p in noglue["problems"]],
                         [("missing_glue", "ns1.noglue.example.test.")])
        self.assertEqual(by["ext." + Z]["ns"][0]["location"], "out_of_zone")

    def test_pages_by_offset_and_by_cursor_agree(self):
        walked, cursor = [], None
        for _ in range(10):
            r = self.call("GET", self.path() + query(limit=4, cursor=cursor), D, expect=200)
            walked += [d["name"] for d in r.data["delegations"]]
            pg = r.data["pagination"]
            self.assertEqual(pg["total"], len(NAMES))
            if not pg["has_more"]:
                break
            cursor = pg["next_cursor"]
        self.assertEqual(walked, ["%s.%s" % (n, Z) for n in NAMES])
        r = self.call("GET", self.path() + query(offset=8, limit=4), D, expect=200)
        self.assertEqual([d["name"] for d in r.data["delegations"]],
                         ["%s.%s" % (n, Z) for n in NAMES[8:]])
        self.assertFalse(r.data["pagination"]["has_more"])
        r = self.call("GET", self.path() + query(limit=1001), D, expect=422)
        self.assertError(r, 422, "validation_failed")

    def test_one_delegation_by_relative_or_absolute_name(self):
        a = self.call("GET", self.path("good"), D1, expect=200).data["delegation"]
        b = self.call("GET", self.path("GOOD.example.test."), D1, expect=200).data["delegation"]
        self.assertEqual(a, b)
        self.assertEqual(a["name"], "good." + Z)

    def test_names_that_are_not_delegations_are_404(self):
        for name in ("www", "ns1.good", "@", "nothing", "www.good"):
            for method, template, check in (("GET", D1, False), ("POST", DC, True)):
                r = self.call(method, self.path(name, check=check), template, expect=404)
                self.assertError(r, 404, "not_found")
                self.assertIn("not a delegation point", r.error["message"])

    def test_bad_names_are_422_and_unknown_zones_404(self):
        for name, code in (("a..b", "bad_name"), ("x.other.test.", "name_outside_zone"),
                           ("x" * 64, "label_too_long")):
            for method, template, check in (("GET", D1, False), ("POST", DC, True)):
                r = self.call(method, self.path(name, check=check), template, expect=422)
                self.assertError(r, 422, "validation_failed", detail_code=code, field="name")
        for method, path, template in (
                ("GET", self.path(zone="nowhere.test"), D),
                ("GET", self.path("good", zone="nowhere.test"), D1),
                ("POST", self.path("good", check=True, zone="nowhere.test"), DC),
                ("POST", "/v1/zones/nowhere.test/check", ZC)):
            self.assertError(self.call(method, path, template, expect=404), 404, "not_found")

    def test_scopes_and_tokens(self):
        zones_only = self.stack.token(scopes="zones:read")
        records_only = self.stack.token(scopes="records:read")
        other_zone = self.stack.token(zones=["elsewhere.test"])
        for method, path, template in (("GET", self.path(), D), ("GET", self.path("good"), D1),
                                       ("POST", self.path("good", check=True), DC)):
            self.assertError(self.call(method, path, template, token=None, expect=401), 401,
                             "unauthorized")
            self.assertError(self.call(method, path, template, token=zones_only, expect=403),
                             403, "insufficient_scope")
            self.assertError(self.call(method, path, template, token=other_zone, expect=404),
                             404, "not_found")
        zpath = "/v1/zones/%s/check" % Z
        self.assertError(self.call("POST", zpath, ZC, token=None, expect=401), 401, "unauthorized")
        self.assertError(self.call("POST", zpath, ZC, token=records_only, expect=403), 403,
                         "insufficient_scope")
        self.assertError(self.call("POST", zpath, ZC, token=other_zone, expect=404), 404,
                         "not_found")
        self.call("GET", self.path(), D, token=records_only, expect=200)

    def test_every_static_problem_code_is_reported(self):
        zone = "static.test."
        self.create_zone(zone)
        posts = [
            ("single", "NS", "ns1.elsewhere.test."),
            ("addr", "NS", "ns1.elsewhere.test."),
            ("nog", "NS", "ns2.elsewhere.test."),
            ("noaddr", "NS", "ns2.elsewhere.test."),
            ("extra", "NS", "ns1.elsewhere.test."), ("extra", "NS", "ns2.elsewhere.test."),
            ("stray.extra", "A", "192.0.2.7"),
            ("occ", "NS", "ns1.elsewhere.test."), ("occ", "NS", "ns2.elsewhere.test."),
            ("txt.occ", "TXT", "hidden"),
            ("alias", "CNAME", "host.elsewhere.test."),
        ]
        body = {"posts": [{"name": n, "type": t, "content": c, "ttl": 3600} for n, t, c in posts]}
        self.call("POST", "/v1/zones/%s/records/batch" % zone, "/v1/zones/{zone}/records/batch",
                  body=body, expect=200)
        # what the write rules refuse (an address or a CNAME as target, an
        # in-zone target without an address, two TTLs in one RRset) can still
        # be there from before them: put it in the table directly
        for name, rtype, content, ttl in (("addr.static.test.", "NS", "192.0.2.1.", 3600),
                                          ("nog.static.test.", "NS", "ns1.nog.static.test.", 3600),
                                          ("noaddr.static.test.", "NS", "host.static.test.", 3600),
                                          ("cname.static.test.", "NS", "alias.static.test.", 3600),
                                          ("cname.static.test.", "NS", "ns2.elsewhere.test.", 3600),
                                          ("ttl.static.test.", "NS", "ns1.elsewhere.test.", 3600),
                                          ("ttl.static.test.", "NS", "ns2.elsewhere.test.", 7200)):
            self.stack.sql("INSERT INTO records (zone_id, account_id, name, type, content, ttl)"
                           " SELECT id, account_id, '%s', '%s', '%s', %d FROM zones"
                           " WHERE name = '%s'" % (name, rtype, content, ttl, zone))
        got = {}
        for d in self.call("GET", self.path(zone=zone), D, expect=200).data["delegations"]:
            got[d["name"]] = [(p["code"], p["subject"]) for p in d["problems"]]
            self.assertEqual(d["ok"], not d["problems"], d)
        want = {
            "single": [("single_ns", "single.static.test.")],
            "addr": [("ns_target_is_address", "192.0.2.1.")],
            "nog": [("missing_glue", "ns1.nog.static.test.")],
            "noaddr": [("ns_target_no_address", "host.static.test.")],
            "extra": [("glue_not_needed", "stray.extra.static.test.")],
            "occ": [("occluded", "txt.occ.static.test.")],
            "cname": [("ns_target_is_cname", "alias.static.test.")],
            "ttl": [("ns_ttl_mismatch", "ttl.static.test.")],
        }
        self.assertEqual(got, {"%s.%s" % (k, zone): v for k, v in want.items()})
        occ = self.call("GET", self.path("occ", zone=zone), D1, expect=200).data["delegation"]
        self.assertEqual([(o["name"], o["type"], o["content"]) for o in occ["occluded"]],
                         [("txt.occ.static.test.", "TXT", "hidden")])

    def test_reads_change_nothing(self):
        before = self.snapshot(Z)
        self.call("GET", self.path(), D, expect=200)
        self.check("good")
        self.zone_check()
        self.assertUnchanged(Z, before, "after reads and checks")

    # ---- live checks of delegations: every verdict in S.LiveVerdicts; here what
    # only the HTTP way in has

    def test_the_loop_answers_while_a_check_waits_on_a_silent_server(self):
        done = {}

        def slow():
            done["check"] = self.stack.request("POST", self.path("silent", check=True),
                                               token=self.token)
        t = threading.Thread(target=slow)
        t.start()
        # one loop thread: these answers come while the check still waits
        answered_during = 0
        for _ in range(5):
            r = self.stack.request("GET", "/v1/zones/" + Z, token=self.token)
            self.assertEqual(r.status, 200)
            answered_during += 1 if t.is_alive() else 0
        t.join(60)
        self.assertFalse(t.is_alive())
        self.assertEqual(done["check"].status, 200)
        self.assertGreater(answered_during, 0, "no request was answered during the check")

    def test_a_client_that_leaves_during_a_check_does_no_harm(self):
        for _ in range(3):
            s = socket.create_connection(("127.0.0.1", self.stack.port), timeout=5)
            s.sendall(("POST %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
                       "Content-Length: 0\r\n\r\n" % (self.path("silent", check=True), self.token)
                       ).encode())
            s.close()
        r = self.check("good")
        self.assertTrue(r["ok"], r)
        self.assertTrue(self.stack.alive())

    # ---- the zone's own delegation

    def test_zone_delegated_by_its_parent_as_its_apex_says_is_ok(self):
        serial = self.get_zone(Z)["serial"]
        r = self.zone_check()
        self.assertTrue(r["ok"], r)
        self.assertEqual((r["zone"], r["serial"], r["parent"], r["ns"]),
                         (Z, serial, "test.", ["ns1.example.test."]))
        self.assertEqual([(p["ns"], p["address"], p["delegated"], p["ns_served"])
                          for p in r["parent_servers"]],
                         [("ns.rootsrv.", S.ROOT, True, ["ns1.example.test."])])
        s = self.server(r, S.PARENT)
        self.assertEqual((s["serial"], s["source"], s["authoritative"]), (serial, "zone", True))

    def test_registrar_pointing_elsewhere_is_parent_ns_mismatch(self):
        # provider.test. made in dnsapi: the parent still delegates it to
        # its old server, and dnsapi's server does not serve it yet
        self.create_zone("provider.test")
        r = self.zone_check("provider.test")
        self.assertParentNsMismatch(r, ["ns.provider.test."], ["ns1.example.test."])
        self.assertIn(("lame", "ns1.example.test.", S.PARENT), self.codes(r))

    def test_own_server_behind_the_current_serial_is_serial_drift(self):
        self.create_record(Z, {"name": "drift", "type": "TXT", "content": "x", "ttl": 60})
        serial = self.get_zone(Z)["serial"]
        try:
            r = self.zone_check()
            self.assertEqual(self.codes(r), [("serial_drift", "ns1.example.test.", S.PARENT)])
            self.assertIn("current serial is %d" % serial, r["problems"][0]["message"])
        finally:
            self.publish()
        self.assertTrue(self.zone_check()["ok"])

    # ---- which zone holds a name

    def test_contains_finds_the_zone_with_the_longest_suffix(self):
        # a child zone left out of the parent's delegations (which the other
        # tests count): test_api_linked_zones.py has the linked ones
        self.call("POST", "/v1/zones", "/v1/zones",
                  body={"name": "sub.example.test", "delegate": False}, expect=201)
        self.stack.account("other")
        other = self.stack.token(account="other")
        self.call("POST", "/v1/zones", "/v1/zones", token=other, body={"name": "other.test"},
                  expect=201)

        def holding(name, token=None):
            kw = {} if token is None else {"token": token}
            r = self.call("GET", "/v1/zones" + query(contains=name), "/v1/zones", expect=200, **kw)
            self.assertLessEqual(len(r.data["zones"]), 1)
            return [z["name"] for z in r.data["zones"]]
        self.assertEqual(holding("_acme-challenge.www.good.example.test"), [Z])
        self.assertEqual(holding("www.sub.example.test."), ["sub.example.test."])
        self.assertEqual(holding("SUB.Example.Test"), ["sub.example.test."])
        self.assertEqual(holding("example.test"), [Z])
        self.assertEqual(holding("www.other.test"), [], "another account's zone")
        self.assertEqual(holding("www.other.test", token=other), ["other.test."])
        self.assertEqual(holding("nothing.invalid"), [])
        limited = self.stack.token(zones=[Z])
        self.assertEqual(holding("www.sub.example.test", token=limited), [Z])
        for bad in ("a..b", "x" * 64 + ".test", ""):
            r = self.call("GET", "/v1/zones" + query(contains=bad), "/v1/zones", expect=422)
            self.assertError(r, 422, "validation_failed", field="contains")

    # ---- a real resolver follows delegations made through the API

    def test_resolver_follows_a_delegation_made_and_changed_through_the_api(self):
        def move():
            glue = [rec for rec in self.list_records(Z, type="A")
                    if rec["name"] in ("ns1.moved.example.test.", "ns2.moved.example.test.")]
            self.assertEqual(len(glue), 2)
            body = {"patches": [{"id": rec["id"], "content": S.CHILD_NSD} for rec in glue]}
            self.call("POST", "/v1/zones/%s/records/batch" % Z, "/v1/zones/{zone}/records/batch",
                      body=body, expect=200)
            self.publish()
        self.assertResolverFollowsMoved(move)

if __name__ == "__main__":
    unittest.main(verbosity=2)
