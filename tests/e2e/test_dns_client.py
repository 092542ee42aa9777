"""End to end: the asynchronous DNS client (dnsclient/client.c) on an h2o
loop, through the test program tests/tools/dnsprobe.c, against real NSD and
Knot and against servers that misbehave on purpose, all on loopback
(127.0.0.40-47, port 53; nothing else is asked).

Covers: authoritative SOA and NS answers from both servers, a referral with
glue, TCP fallback when the UDP reply is truncated (real servers and a fake
one), REFUSED as an answer, and the per-server errors - timeout (silent
server), unreachable (nobody listens), garbage (random bytes; junk with our
id; a TCP connection cut short) - the group deadline, many queries through
a small in-flight limit, and cancelling a group with queries out (no
callback afterwards, nothing leaked: the probe runs under ASan/LSan).
"""

import os
import shutil
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import dnsfleet  # noqa: E402
from harness import loopback  # noqa: E402

import dns.flags  # noqa: E402
import dns.message  # noqa: E402
import dns.rrset  # noqa: E402

NSD = loopback(40, 0)
KNOT = loopback(40, 1)
SILENT = loopback(40, 2)
GARBAGE = loopback(40, 3)
BROKEN = loopback(40, 4)
TRUNC = loopback(40, 5)
TRUNC_CUT = loopback(40, 6)
NOBODY = loopback(40, 7)
ZONE = "client.test."
SERIAL = 41

BIG_TXT = [("big", 300, "TXT", '"%s"' % ("x%02d" % i * 60)) for i in range(12)]


def zone():
    return dnsfleet.zone_text(ZONE, SERIAL, [
        ("@", 3600, "NS", "ns1.client.test."),
        ("@", 3600, "NS", "ns2.client.test."),
        ("ns1", 3600, "A", NSD),
        ("ns2", 3600, "A", KNOT),
        ("sub", 3600, "NS", "ns.sub.client.test."),
        ("ns.sub", 3600, "A", "192.0.2.53"),
    ] + BIG_TXT)


def tcp_answer(q):
    """What the truncating fake serves over TCP: 30 NS names."""
    r = dns.message.make_response(q)
    r.flags |= dns.flags.AA
    name = q.question[0].name
    r.answer.append(dns.rrset.from_text_list(
        name, 300, "IN", "NS", ["ns%02d.provider.test." % i for i in range(12)]))
    return r


class DnsClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        for tool in ("nsd", "knotd", "knotc"):
            if shutil.which(tool) is None:
                raise unittest.SkipTest("%s is not installed" % tool)
        if dnsfleet.probe_path() is None:
            raise unittest.SkipTest("dnsapi_dnsprobe is not built (set DNSAPI_BINARY)")
        cls.fleet = dnsfleet.Fleet()
        try:
            cls.fleet.nsd("nsd", NSD, {ZONE: zone()})
            cls.fleet.knot("knot", KNOT, {ZONE: zone()})
            cls.fleet.fake(SILENT, "silent")
            cls.fleet.fake(GARBAGE, "garbage")
            cls.fleet.fake(BROKEN, "broken")
            cls.fleet.fake(TRUNC, "truncate", answer=tcp_answer)
            cls.fleet.fake(TRUNC_CUT, "truncate", answer=tcp_answer, tcp="close")
            cls.fleet.start()
        except Exception:
            print(cls.fleet.log_tails(), file=sys.stderr)
            cls.fleet.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.fleet.stop()

    def ask(self, *args, opts=()):
        rc, body, err = dnsfleet.probe(*opts, "query", *args)
        self.assertEqual(rc, 0, "probe failed: %s" % err)
        self.assertEqual(len(body), len(args) // 3)
        return body

    def one(self, server, name, rtype, opts=()):
        return self.ask("%s:53" % server, name, rtype, opts=opts)[0]

    def test_soa_from_nsd_and_knot_is_authoritative_with_the_serial(self):
        for server in (NSD, KNOT):
            a = self.one(server, ZONE, "SOA")
            self.assertEqual(a["status"], "ok", a)
            self.assertTrue(a["aa"], a)
            self.assertEqual(a["rcode"], 0)
            self.assertEqual(a["serial"], SERIAL)
            self.assertFalse(a["tcp"])

    def test_apex_ns_set_and_a_referral_with_glue(self):
        for server in (NSD, KNOT):
            a = self.one(server, ZONE, "NS")
            self.assertEqual(a["items"], ["ns1.client.test.", "ns2.client.test."], a)
            self.assertFalse(a["referral"])
            r = self.one(server, "sub.client.test.", "NS")
            self.assertEqual(r["status"], "ok", r)
            self.assertFalse(r["aa"], r)
            self.assertTrue(r["referral"], r)
            self.assertEqual(r["items"], ["ns.sub.client.test."])
            self.assertEqual(r["glue"], [{"name": "ns.sub.client.test.", "address": "192.0.2.53"}])

    def test_truncated_udp_reply_is_asked_again_over_tcp(self):
        # 12 TXT records of 180 bytes do not fit the 1232 bytes the query offers
        for server in (NSD, KNOT):
            a = self.one(server, "big.client.test.", "TXT")
            self.assertEqual(a["status"], "ok", a)
            self.assertTrue(a["tcp"], a)
            self.assertFalse(a["tc"], a)
        a = self.one(TRUNC, "dev.example.test.", "NS")
        self.assertEqual(a["status"], "ok", a)
        self.assertTrue(a["tcp"])
        self.assertEqual(len(a["items"]), 12)

    def test_tcp_connection_cut_short_is_garbage(self):
        a = self.one(TRUNC_CUT, "dev.example.test.", "NS")
        self.assertEqual(a["status"], "garbage", a)
        self.assertIn("before the whole reply", a["error"])

    def test_a_zone_the_server_does_not_serve_is_refused_as_an_answer(self):
        for server in (NSD, KNOT):
            a = self.one(server, "other.test.", "SOA")
            self.assertEqual(a["status"], "ok", a)
            self.assertEqual(a["rcode"], 5, a)
            self.assertFalse(a["aa"])

    def test_silent_server_times_out_after_every_try(self):
        a = self.one(SILENT, ZONE, "SOA", opts=("--attempt-ms", "200", "--attempts", "3"))
        self.assertEqual(a["status"], "timeout", a)
        self.assertIn("600 ms (3 tries)", a["error"])
        self.assertIn(SILENT, a["error"])

    def test_nothing_listening_is_unreachable(self):
        a = self.one(NOBODY, ZONE, "SOA", opts=("--attempt-ms", "2000"))
        self.assertEqual(a["status"], "unreachable", a)
        self.assertIn("port unreachable", a["error"])

    def test_random_bytes_and_junk_with_our_id_are_garbage(self):
        a = self.one(GARBAGE, ZONE, "SOA", opts=("--attempt-ms", "200"))
        self.assertEqual(a["status"], "garbage", a)
        self.assertIn("not replies to the query", a["error"])
        b = self.one(BROKEN, ZONE, "SOA", opts=("--attempt-ms", "2000"))
        self.assertEqual(b["status"], "garbage", b)
        self.assertIn("not a DNS message", b["error"])

    def test_group_deadline_ends_every_query_still_out(self):
        body = self.ask("%s:53" % SILENT, ZONE, "SOA", "%s:53" % NSD, ZONE, "SOA",
                        opts=("--attempt-ms", "5000", "--deadline-ms", "300"))
        self.assertEqual(body[0]["status"], "deadline", body[0])
        self.assertIn("300 ms", body[0]["error"])
        self.assertEqual(body[1]["status"], "ok", body[1])

    def test_many_queries_through_a_small_inflight_limit_all_answer(self):
        args = []
        for i in range(40):
            args += ["%s:53" % (NSD if i % 2 else KNOT), "q%d.client.test." % i, "A"]
        body = self.ask(*args, opts=("--max-inflight", "3"))
        for a in body:
            self.assertEqual(a["status"], "ok", a)
            self.assertEqual(a["rcode"], 3, a)  # NXDOMAIN, authoritatively
            self.assertTrue(a["aa"])

    def test_cancelled_group_runs_no_callback_and_leaks_nothing(self):
        rc, body, err = dnsfleet.probe("--attempt-ms", "1000", "--deadline-ms", "400",
                                       "--cancel-after-ms", "100", "query",
                                       "%s:53" % SILENT, ZONE, "SOA",
                                       "%s:53" % SILENT, ZONE, "NS",
                                       "%s:53" % TRUNC, "x.test.", "NS")
        self.assertEqual(rc, 0, err)
        self.assertEqual(body, {"cancelled": True, "late_callbacks": 0})

    def test_an_address_that_is_a_name_is_refused_before_anything_is_sent(self):
        rc, body, err = dnsfleet.probe("query", "localhost:53", ZONE, "SOA")
        self.assertEqual(rc, 2)
        self.assertIn("never looks names up", err)


if __name__ == "__main__":
    unittest.main(verbosity=2)
