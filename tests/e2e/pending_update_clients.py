"""End to end: the DNS UPDATE protocol core (dns/update, dns/tsig,
dns/message, run by tests/tools/dns_update_server with an in-memory zone)
driven by real clients: BIND's nsupdate, Knot's knsupdate and dnspython,
all on 127.0.0.1.

Each test checks the rcode the client reports and the zone the server
holds afterwards: what should change changed, and a refused update changed
nothing (same records, same serial). A client that completes with status 0
has also verified the TSIG signature of the server's answer.
"""

import os
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import harness  # noqa: E402
from update_server import (ZONE, Key, UpdateServer, ede_texts, knsupdate,  # noqa: E402
                           nsupdate, parse_answer, send_udp_raw, tsig_mac_of_answer)

import dns.flags  # noqa: E402
import dns.message  # noqa: E402
import dns.name  # noqa: E402
import dns.rdataclass  # noqa: E402
import dns.query  # noqa: E402
import dns.rcode  # noqa: E402
import dns.rdatatype  # noqa: E402
import dns.tsig  # noqa: E402
import dns.update  # noqa: E402

PORT = harness.tport(15400)
PORT_SKEW = harness.tport(15401)


class UpdateClientsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.key = Key("update-key.example.com.")
        cls.key512 = Key("sha512-key.", "hmac-sha512")
        cls.acme = Key("acme-key.")

    def setUp(self):
        self.server = UpdateServer(
            PORT, [self.key, self.key512, self.acme],
            policies=["acme-key.:TXT:_acme-challenge.**"])

    def tearDown(self):
        self.server.stop()

    def assert_unchanged(self, before, serial):
        self.assertEqual(self.server.dump(), before)
        self.assertEqual(self.server.serial(), serial)
        self.assertTrue(self.server.alive())

    def snapshot(self):
        return self.server.dump(), self.server.serial()

    # -- nsupdate ----------------------------------------------------------

    def test_nsupdate_adds_over_udp_and_tcp(self):
        serial = self.server.serial()
        rc, out = nsupdate(PORT, self.key, """
            update add _acme-challenge.example.com. 300 TXT "token one"
            update add example.com. 3600 MX 10 mail.example.com.""")
        self.assertEqual(rc, 0, out)
        rc, out = nsupdate(PORT, self.key, "update add api.example.com. 600 AAAA 2001:db8::1",
                           tcp=True)
        self.assertEqual(rc, 0, out)
        zone = self.server.dump()
        self.assertIn(("_acme-challenge.example.com.", 300, "TXT", "token one"), zone)
        self.assertIn(("example.com.", 3600, "MX", "10 mail.example.com."), zone)
        self.assertIn(("api.example.com.", 600, "AAAA", "2001:db8::1"), zone)
        self.assertEqual(self.server.serial(), serial + 2)

    def test_nsupdate_replaces_an_rrset_under_a_prerequisite(self):
        rc, out = nsupdate(PORT, self.key, """
            prereq yxrrset www.example.com. A 192.0.2.1
            update delete www.example.com. A
            update add www.example.com. 600 A 192.0.2.2""")
        self.assertEqual(rc, 0, out)
        www = {r for r in self.server.dump() if r[0] == "www.example.com."}
        self.assertEqual(www, {("www.example.com.", 600, "A", "192.0.2.2")})
        # The same script again: its value-dependent prerequisite no longer holds.
        before, serial = self.snapshot()
        rc, out = nsupdate(PORT, self.key, """
            prereq yxrrset www.example.com. A 192.0.2.1
            update delete www.example.com. A
            update add www.example.com. 600 A 192.0.2.3""")
        self.assertNotEqual(rc, 0)
        self.assertIn("NXRRSET", out)
        self.assert_unchanged(before, serial)

    def test_nsupdate_deletes_under_prerequisites(self):
        rc, out = nsupdate(PORT, self.key, """
            prereq yxdomain mail.example.com.
            prereq nxrrset mail.example.com. A
            update delete mail.example.com. MX 10 mx1.example.net.""")
        self.assertEqual(rc, 0, out)
        self.assertFalse([r for r in self.server.dump() if r[0] == "mail.example.com."])
        before, serial = self.snapshot()
        rc, out = nsupdate(PORT, self.key, """
            prereq nxdomain www.example.com.
            update add www.example.com. 3600 A 192.0.2.50""")
        self.assertNotEqual(rc, 0)
        self.assertIn("YXDOMAIN", out)
        self.assert_unchanged(before, serial)
        rc, out = nsupdate(PORT, self.key, """
            prereq yxrrset nothing.example.com. TXT
            update delete www.example.com.""")
        self.assertIn("NXRRSET", out)
        self.assert_unchanged(before, serial)

    def test_nsupdate_delete_all_at_the_apex_keeps_soa_and_ns(self):
        rc, out = nsupdate(PORT, self.key, """
            update add example.com. 300 TXT "v=spf1 -all"
            update add example.com. 300 A 192.0.2.7""")
        self.assertEqual(rc, 0, out)
        rc, out = nsupdate(PORT, self.key, "update delete example.com.")
        self.assertEqual(rc, 0, out)
        apex = {r[2] for r in self.server.dump() if r[0] == ZONE}
        self.assertEqual(apex, {"SOA", "NS"})

    def test_nsupdate_hmac_sha512(self):
        rc, out = nsupdate(PORT, self.key512, "update add s512.example.com. 300 A 192.0.2.9")
        self.assertEqual(rc, 0, out)
        self.assertIn(("s512.example.com.", 300, "A", "192.0.2.9"), self.server.dump())

    def test_nsupdate_with_a_wrong_secret_is_badsig_and_changes_nothing(self):
        before, serial = self.snapshot()
        wrong = Key(self.key.name, secret=Key("x.").secret)
        rc, out = nsupdate(PORT, wrong, "update add bad.example.com. 300 A 192.0.2.66")
        self.assertNotEqual(rc, 0)
        self.assertIn("BADSIG", out)
        self.assert_unchanged(before, serial)

    def test_nsupdate_with_an_unknown_key_is_badkey(self):
        before, serial = self.snapshot()
        rc, out = nsupdate(PORT, Key("stranger."), "update add bad.example.com. 300 A 192.0.2.66")
        self.assertNotEqual(rc, 0)
        self.assertIn("BADKEY", out)
        self.assert_unchanged(before, serial)

    def test_nsupdate_with_the_wrong_algorithm_is_badkey(self):
        before, serial = self.snapshot()
        wrong = Key(self.key.name, "hmac-sha512", self.key.secret)
        rc, out = nsupdate(PORT, wrong, "update add bad.example.com. 300 A 192.0.2.66")
        self.assertNotEqual(rc, 0)
        self.assertIn("BADKEY", out)
        self.assert_unchanged(before, serial)

    def test_nsupdate_apex_ns_and_soa_are_refused(self):
        before, serial = self.snapshot()
        for cmd in ("update delete example.com. NS",
                    "update add example.com. 86400 NS ns3.example.net.",
                    "update delete example.com. NS ns1.example.net.",
                    "update add example.com. 3600 SOA a.example.net. b.example.net. 9 1 1 1 1"):
            rc, out = nsupdate(PORT, self.key, cmd)
            self.assertNotEqual(rc, 0, cmd)
            self.assertIn("REFUSED", out, cmd)
        self.assert_unchanged(before, serial)

    def test_nsupdate_outside_the_zone_is_notzone(self):
        before, serial = self.snapshot()
        rc, out = nsupdate(PORT, self.key, "update add www.example.org. 300 A 192.0.2.1")
        self.assertNotEqual(rc, 0)
        self.assertIn("NOTZONE", out)
        self.assert_unchanged(before, serial)

    def test_policy_limited_key_writes_only_acme_txt(self):
        rc, out = nsupdate(PORT, self.acme, """
            update add _acme-challenge.example.com. 60 TXT "for the apex"
            update add _acme-challenge.www.example.com. 60 TXT "for www" """)
        self.assertEqual(rc, 0, out)
        before, serial = self.snapshot()
        for cmd in ("update add www.example.com. 300 A 192.0.2.99",
                    "update add _acme-challenge.example.com. 300 CAA 0 issue \"ca.example.net\"",
                    "update delete www.example.com.",
                    "update add acme.example.com. 60 TXT \"x\""):
            rc, out = nsupdate(PORT, self.acme, cmd)
            self.assertNotEqual(rc, 0, cmd)
            self.assertIn("REFUSED", out, cmd)
        self.assert_unchanged(before, serial)
        # Its own records it may delete again.
        rc, out = nsupdate(PORT, self.acme, "update delete _acme-challenge.www.example.com. TXT")
        self.assertEqual(rc, 0, out)

    # -- knsupdate ---------------------------------------------------------

    def test_knsupdate_add_replace_delete(self):
        for tcp in (False, True):
            serial = self.server.serial()
            rc, out = knsupdate(PORT, self.key, """
                prereq nxrrset kn.example.com. TXT
                add kn.example.com. 300 TXT "first" "second"
                add _sip._tcp.example.com. 300 SRV 10 5 5060 sip.example.net.""", tcp=tcp)
            self.assertEqual(rc, 0, out)
            zone = self.server.dump()
            self.assertIn(("kn.example.com.", 300, "TXT", '"first" "second"'), zone)
            self.assertIn(("_sip._tcp.example.com.", 300, "SRV", "10 5 5060 sip.example.net."),
                          zone)
            rc, out = knsupdate(PORT, self.key, """
                prereq yxrrset kn.example.com. TXT
                del kn.example.com. TXT
                add kn.example.com. 300 TXT "replaced" """, tcp=tcp)
            self.assertEqual(rc, 0, out)
            kn = {r for r in self.server.dump() if r[0] == "kn.example.com."}
            self.assertEqual(kn, {("kn.example.com.", 300, "TXT", "replaced")})
            rc, out = knsupdate(PORT, self.key, """
                prereq yxdomain kn.example.com.
                del kn.example.com.
                del _sip._tcp.example.com. SRV 10 5 5060 sip.example.net.""", tcp=tcp)
            self.assertEqual(rc, 0, out)
            self.assertFalse([r for r in self.server.dump()
                              if r[0] in ("kn.example.com.", "_sip._tcp.example.com.")])
            self.assertEqual(self.server.serial(), serial + 3)

    def test_knsupdate_failed_prerequisite_changes_nothing(self):
        before, serial = self.snapshot()
        rc, out = knsupdate(PORT, self.key, """
            prereq yxrrset www.example.com. A 192.0.2.200
            del www.example.com. A""")
        self.assertNotEqual(rc, 0)
        self.assertIn("NXRRSET", out)
        self.assert_unchanged(before, serial)

    def test_knsupdate_wrong_secret_is_badsig(self):
        before, serial = self.snapshot()
        wrong = Key(self.key512.name, "hmac-sha512")
        rc, out = knsupdate(PORT, wrong, "add bad.example.com. 300 A 192.0.2.66")
        self.assertNotEqual(rc, 0)
        self.assertIn("BADSIG", out)
        self.assert_unchanged(before, serial)

    # -- dnspython ---------------------------------------------------------

    def dnspython_update(self, key, tcp=False, edns=True):
        u = dns.update.UpdateMessage(ZONE, keyring=key.keyring(), keyname=key.name,
                                     keyalgorithm=dns.name.from_text(key.algorithm))
        if edns:
            u.use_edns(0)
        return u

    def send(self, msg, tcp=False):
        # dns.query validates the answer's TSIG against the request and raises
        # when it does not verify, so every answer here was signed correctly.
        if tcp:
            return dns.query.tcp(msg, "127.0.0.1", port=PORT, timeout=10)
        return dns.query.udp(msg, "127.0.0.1", port=PORT, timeout=10)

    def test_dnspython_signs_and_verifies_both_algorithms(self):
        for key in (self.key, self.key512):
            for tcp in (False, True):
                name = "py-%s-%d.example.com." % (key.algorithm, int(tcp))
                u = self.dnspython_update(key)
                u.add(name, 300, "A", "192.0.2.10")
                r = self.send(u, tcp)
                self.assertEqual(r.rcode(), dns.rcode.NOERROR)
                self.assertTrue(r.had_tsig)
                self.assertIn((name, 300, "A", "192.0.2.10"), self.server.dump())

    def test_rule_refusal_carries_an_extended_error_naming_the_rule(self):
        before, serial = self.snapshot()
        u = self.dnspython_update(self.key)
        u.add("www.example.com.", 3600, "CNAME", "other.example.net.")
        r = self.send(u)
        self.assertEqual(r.rcode(), dns.rcode.REFUSED)
        self.assertTrue(any(t.startswith("cname_conflict:") for t in ede_texts(r)), r.options)
        u = self.dnspython_update(self.key)
        u.add("ttl.example.com.", 5, "A", "192.0.2.1")
        r = self.send(u)
        self.assertEqual(r.rcode(), dns.rcode.REFUSED)
        self.assertTrue(any(t.startswith("ttl_out_of_range:") for t in ede_texts(r)), r.options)
        u = self.dnspython_update(self.key)
        u.delete(ZONE, "NS")
        r = self.send(u, tcp=True)
        self.assertEqual(r.rcode(), dns.rcode.REFUSED)
        self.assertTrue(any(t.startswith("system_record:") for t in ede_texts(r)), r.options)
        # Without EDNS the answer has no OPT record, and still the rcode.
        u = self.dnspython_update(self.key, edns=False)
        u.add("www.example.com.", 3600, "CNAME", "other.example.net.")
        r = self.send(u)
        self.assertEqual(r.rcode(), dns.rcode.REFUSED)
        self.assertEqual(r.edns, -1)
        self.assert_unchanged(before, serial)

    def test_unsigned_update_is_refused(self):
        before, serial = self.snapshot()
        u = dns.update.UpdateMessage(ZONE)
        u.use_edns(0)
        u.add("unsigned.example.com.", 300, "A", "192.0.2.1")
        r = dns.query.udp(u, "127.0.0.1", port=PORT, timeout=10)
        self.assertEqual(r.rcode(), dns.rcode.REFUSED)
        self.assertTrue(any(t.startswith("unsigned:") for t in ede_texts(r)), r.options)
        self.assert_unchanged(before, serial)

    def test_update_for_another_zone_is_notauth(self):
        before, serial = self.snapshot()
        u = dns.update.UpdateMessage("example.org.", keyring=self.key.keyring(),
                                     keyname=self.key.name)
        u.add("www.example.org.", 300, "A", "192.0.2.1")
        r = self.send(u)
        self.assertEqual(r.rcode(), dns.rcode.NOTAUTH)
        self.assert_unchanged(before, serial)

    def test_soa_and_ns_queries_are_answered_and_others_refused(self):
        q = dns.message.make_query(ZONE, "SOA")
        r = dns.query.udp(q, "127.0.0.1", port=PORT, timeout=10)
        self.assertEqual(r.rcode(), dns.rcode.NOERROR)
        self.assertTrue(r.flags & dns.flags.AA)
        soa = r.find_rrset(r.answer, dns.name.from_text(ZONE), dns.rdataclass.IN,
                           dns.rdatatype.SOA)
        self.assertEqual(soa[0].serial, self.server.serial())
        q = dns.message.make_query(ZONE, "NS")
        r = dns.query.tcp(q, "127.0.0.1", port=PORT, timeout=10)
        names = sorted(str(rd.target) for rd in r.answer[0])
        self.assertEqual(names, ["ns1.example.net.", "ns2.example.net."])
        for qname, qtype in (("www.example.com.", "A"), (ZONE, "A"), ("www.example.com.", "SOA"),
                             ("example.org.", "SOA")):
            r = dns.query.udp(dns.message.make_query(qname, qtype), "127.0.0.1", port=PORT,
                              timeout=10)
            self.assertEqual(r.rcode(), dns.rcode.REFUSED, (qname, qtype))
        # A signed query gets a signed answer (dnspython verifies it).
        q = dns.message.make_query(ZONE, "SOA")
        q.use_tsig(self.key512.keyring(), keyname=self.key512.name,
                   algorithm=dns.name.from_text("hmac-sha512"))
        r = dns.query.udp(q, "127.0.0.1", port=PORT, timeout=10)
        self.assertEqual(r.rcode(), dns.rcode.NOERROR)
        self.assertTrue(r.had_tsig)

    def test_replayed_request_is_refused(self):
        u = self.dnspython_update(self.key)
        u.add("replay.example.com.", 300, "TXT", "once")
        wire = u.to_wire()
        first = parse_answer(send_udp_raw(PORT, wire))
        self.assertEqual(first["rcode"], dns.rcode.NOERROR)
        before, serial = self.snapshot()
        answer = send_udp_raw(PORT, wire)
        again = parse_answer(answer)
        self.assertEqual(again["rcode"], dns.rcode.NOTAUTH)
        self.assertEqual(again["tsig"]["error"], dns.rcode.BADTIME)
        # Signed (the MAC verified; only the repeat is refused).
        self.assertEqual(again["tsig"]["mac"],
                         tsig_mac_of_answer(answer, again, self.key, u.mac))
        self.assert_unchanged(before, serial)


class ClockSkewTest(unittest.TestCase):
    """The server's clock an hour behind the clients': every signed request
    is outside its window, answered BADTIME, signed, with the server's time."""

    def setUp(self):
        self.key = Key("skew-key.")
        self.server = UpdateServer(PORT_SKEW, [self.key], clock_offset=-3600)

    def tearDown(self):
        self.server.stop()

    def test_expired_time_is_badtime_and_changes_nothing(self):
        before, serial = self.server.dump(), self.server.serial()
        rc, out = nsupdate(PORT_SKEW, self.key, "update add late.example.com. 300 A 192.0.2.1")
        self.assertNotEqual(rc, 0)
        self.assertIn("BADTIME", out)
        rc, out = knsupdate(PORT_SKEW, self.key, "add late.example.com. 300 A 192.0.2.1")
        self.assertNotEqual(rc, 0)
        self.assertIn("BADTIME", out)
        u = dns.update.UpdateMessage(ZONE, keyring=self.key.keyring(), keyname=self.key.name)
        u.add("late.example.com.", 300, "A", "192.0.2.1")
        with self.assertRaises(dns.tsig.PeerBadTime):
            dns.query.udp(u, "127.0.0.1", port=PORT_SKEW, timeout=10)
        self.assertEqual(self.server.dump(), before)
        self.assertEqual(self.server.serial(), serial)

    def test_badtime_answer_is_signed_with_the_server_time(self):
        u = dns.update.UpdateMessage(ZONE, keyring=self.key.keyring(), keyname=self.key.name)
        u.add("late.example.com.", 300, "A", "192.0.2.1")
        wire = u.to_wire()
        sent_at = int(time.time())
        answer = send_udp_raw(PORT_SKEW, wire)
        parsed = parse_answer(answer)
        self.assertEqual(parsed["rcode"], dns.rcode.NOTAUTH)
        tsig = parsed["tsig"]
        self.assertEqual(tsig["error"], dns.rcode.BADTIME)
        # RFC 8945 5.2.3: the request's Time Signed, the server's time in Other Data.
        self.assertEqual(tsig["time_signed"], u.tsig[0].time_signed)
        self.assertEqual(len(tsig["other"]), 6)
        server_time = int.from_bytes(tsig["other"], "big")
        self.assertLessEqual(abs(server_time - (sent_at - 3600)), 120)
        self.assertEqual(tsig["mac"], tsig_mac_of_answer(answer, parsed, self.key, u.mac))


if __name__ == "__main__":
    unittest.main(verbosity=2)
