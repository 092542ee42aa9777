"""End to end: DNS UPDATE (RFC 2136) signed with TSIG (RFC 8945) into the
listener of `dnsapi serve` (DNSAPI_UPDATE_LISTEN on 127.0.0.1), driven by
real clients: BIND's nsupdate, Knot's knsupdate and dnspython. PostgreSQL,
`dnsapi zonegen` and NSD behind it (tests/e2e/update_server.py); keys
minted by POST /v1/tsig-keys.

Each test has a zone of its own, made through the HTTP API, and checks
the rcode the client reports and then what the API shows: the records,
the serial stepped once per UPDATE, and the entries of GET .../changes
naming the key (tsig_key_id, no token). What was written, NSD serves (dig
@NSD, once NSD is at the zone's serial). A refused update changes nothing:
the same records, the same serial. A client that completes with status 0
has also verified the TSIG signature of the server's answer.
"""

import itertools
import os
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import harness  # noqa: E402
from update_server import (NAMESERVERS, UNSIGNED, Key, UpdateStack, ede_texts,  # noqa: E402
                           knsupdate, nsupdate, parse_answer, send_udp_raw, sign_at,
                           tsig_mac_of_answer)

import dns.flags  # noqa: E402
import dns.message  # noqa: E402
import dns.name  # noqa: E402
import dns.query  # noqa: E402
import dns.rcode  # noqa: E402
import dns.rdataclass  # noqa: E402
import dns.rdatatype  # noqa: E402
import dns.tsig  # noqa: E402
import dns.update  # noqa: E402

API_PORT = 18180
LISTEN_PORT = harness.tport(15403)
NSD_PORT = harness.tport(15404)
NSD_CONTROL_PORT = harness.tport(15405)

BASE_RECORDS = [
    {"name": "www", "type": "A", "content": "192.0.2.1", "ttl": 3600},
    {"name": "mail", "type": "MX", "content": "mx1.example.net.", "priority": 10, "ttl": 3600},
]


class UpdateClientsTest(unittest.TestCase):
    zones = itertools.count(1)

    @classmethod
    def setUpClass(cls):
        cls.stack = UpdateStack("update_clients", API_PORT, LISTEN_PORT, NSD_PORT,
                                NSD_CONTROL_PORT).start()
        try:
            cls.key = cls.stack.mint_key("update-key.example.com.")
            cls.key512 = cls.stack.mint_key("sha512-key.", "hmac-sha512")
        except BaseException:
            cls.stack.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.stack.stop()

    def setUp(self):
        self.z = "z%d.clients.test." % next(self.zones)
        self.stack.create_zone(self.z, BASE_RECORDS)

    # -- helpers -------------------------------------------------------------

    def n(self, label):
        """An absolute name in the test's zone ("@" for the apex)."""
        return self.z if label == "@" else "%s.%s" % (label, self.z)

    def nsupdate(self, key, commands, tcp=False):
        return nsupdate(LISTEN_PORT, key, self.z, commands.format(z=self.z), tcp=tcp)

    def knsupdate(self, key, commands, tcp=False):
        return knsupdate(LISTEN_PORT, key, self.z, commands.format(z=self.z), tcp=tcp)

    def snapshot(self):
        return self.stack.snapshot(self.z)

    def records(self):
        return self.stack.records(self.z)

    def at(self, label):
        return {r for r in self.records() if r[0] == self.n(label)}

    def assert_unchanged(self, before, what=""):
        self.assertTrue(self.stack.alive(), "dnsapi serve died %s" % what)
        self.assertEqual(self.snapshot(), before, "changed %s" % what)

    def assert_written(self, key, serial_before, steps=1):
        """The serial stepped once per UPDATE; every change entry since
        names the key and no token. Returns the entries by serial."""
        serial = self.stack.serial(self.z)
        self.assertEqual(serial, serial_before + steps)
        by_serial = {}
        for c in self.stack.changes(self.z):
            if c["serial"] > serial_before:
                self.assertEqual(c.get("tsig_key_id"), key.id, "change entry %r" % c)
                self.assertIsNone(c["token_id"], "change entry %r" % c)
                by_serial.setdefault(c["serial"], []).append(c)
        self.assertEqual(sorted(by_serial), list(range(serial_before + 1, serial + 1)),
                         "one or more change entries for each serial step")
        return by_serial

    def assert_served(self, label, rdtype, expected):
        """NSD, once at the zone's serial, answers exactly expected."""
        self.stack.wait_served(self.z)
        self.assertEqual(self.stack.served(self.n(label), rdtype), sorted(expected),
                         "%s %s on NSD" % (self.n(label), rdtype))

    def assert_refused(self, rc, out, word, what=""):
        self.assertNotEqual(rc, 0, "%s: %s" % (what, out))
        self.assertIn(word, out, what)

    # -- nsupdate ------------------------------------------------------------

    def test_nsupdate_adds_over_udp_and_tcp(self):
        serial = self.stack.serial(self.z)
        rc, out = self.nsupdate(self.key, """
            update add _acme-challenge.{z} 300 TXT "token one"
            update add {z} 3600 MX 10 mail.{z}""")
        self.assertEqual(rc, 0, out)
        rc, out = self.nsupdate(self.key, "update add api.{z} 600 AAAA 2001:db8::1", tcp=True)
        self.assertEqual(rc, 0, out)
        zone = self.records()
        self.assertIn((self.n("_acme-challenge"), 300, "TXT", "token one"), zone)
        self.assertIn((self.z, 3600, "MX", "10 mail.%s" % self.z), zone)
        self.assertIn((self.n("api"), 600, "AAAA", "2001:db8::1"), zone)
        changes = self.assert_written(self.key, serial, steps=2)
        first = {(c["action"], c["name"], c["type"]) for c in changes[serial + 1]}
        self.assertEqual(first, {("create", self.n("_acme-challenge"), "TXT"),
                                 ("create", self.z, "MX")})
        self.assertEqual([(c["action"], c["name"], c["type"], c["after"]["content"])
                          for c in changes[serial + 2]],
                         [("create", self.n("api"), "AAAA", "2001:db8::1")])
        self.assert_served("_acme-challenge", "TXT", ['"token one"'])
        self.assert_served("@", "MX", ["10 mail.%s" % self.z])
        self.assert_served("api", "AAAA", ["2001:db8::1"])

    def test_nsupdate_replaces_an_rrset_under_a_prerequisite(self):
        serial = self.stack.serial(self.z)
        rc, out = self.nsupdate(self.key, """
            prereq yxrrset www.{z} A 192.0.2.1
            update delete www.{z} A
            update add www.{z} 600 A 192.0.2.2""")
        self.assertEqual(rc, 0, out)
        self.assertEqual(self.at("www"), {(self.n("www"), 600, "A", "192.0.2.2")})
        changes = self.assert_written(self.key, serial)[serial + 1]
        self.assertIn("192.0.2.1", [c["before"]["content"] for c in changes if c["before"]])
        self.assertIn("192.0.2.2", [c["after"]["content"] for c in changes if c["after"]])
        self.assert_served("www", "A", ["192.0.2.2"])
        # The same script again: its value-dependent prerequisite no longer holds.
        before = self.snapshot()
        rc, out = self.nsupdate(self.key, """
            prereq yxrrset www.{z} A 192.0.2.1
            update delete www.{z} A
            update add www.{z} 600 A 192.0.2.3""")
        self.assert_refused(rc, out, "NXRRSET")
        self.assert_unchanged(before)
        self.assert_served("www", "A", ["192.0.2.2"])

    def test_nsupdate_deletes_under_prerequisites(self):
        serial = self.stack.serial(self.z)
        rc, out = self.nsupdate(self.key, """
            prereq yxdomain mail.{z}
            prereq nxrrset mail.{z} A
            update delete mail.{z} MX 10 mx1.example.net.""")
        self.assertEqual(rc, 0, out)
        self.assertEqual(self.at("mail"), set())
        changes = self.assert_written(self.key, serial)[serial + 1]
        self.assertEqual([(c["action"], c["name"], c["type"]) for c in changes],
                         [("delete", self.n("mail"), "MX")])
        self.assert_served("mail", "MX", [])
        before = self.snapshot()
        rc, out = self.nsupdate(self.key, """
            prereq nxdomain www.{z}
            update add www.{z} 3600 A 192.0.2.50""")
        self.assert_refused(rc, out, "YXDOMAIN")
        self.assert_unchanged(before)
        rc, out = self.nsupdate(self.key, """
            prereq yxrrset nothing.{z} TXT
            update delete www.{z}""")
        self.assert_refused(rc, out, "NXRRSET")
        self.assert_unchanged(before)

    def test_nsupdate_delete_all_at_the_apex_keeps_soa_and_ns(self):
        serial = self.stack.serial(self.z)
        rc, out = self.nsupdate(self.key, """
            update add {z} 300 TXT "v=spf1 -all"
            update add {z} 300 A 192.0.2.7""")
        self.assertEqual(rc, 0, out)
        rc, out = self.nsupdate(self.key, "update delete {z}")
        self.assertEqual(rc, 0, out)
        self.assertEqual({r[2] for r in self.at("@")}, {"SOA", "NS"})
        changes = self.assert_written(self.key, serial, steps=2)[serial + 2]
        self.assertEqual(sorted((c["action"], c["type"]) for c in changes),
                         [("delete", "A"), ("delete", "TXT")])
        self.assert_served("@", "A", [])
        self.assert_served("@", "NS", list(NAMESERVERS))

    def test_nsupdate_hmac_sha512(self):
        serial = self.stack.serial(self.z)
        rc, out = self.nsupdate(self.key512, "update add s512.{z} 300 A 192.0.2.9")
        self.assertEqual(rc, 0, out)
        self.assertIn((self.n("s512"), 300, "A", "192.0.2.9"), self.records())
        self.assert_written(self.key512, serial)
        self.assert_served("s512", "A", ["192.0.2.9"])

    def test_nsupdate_wrongly_signed_is_refused_and_changes_nothing(self):
        before = self.snapshot()
        cases = [
            (Key(self.key.name), "BADSIG"),                                 # wrong secret
            (Key("stranger.example.com."), "BADKEY"),                       # unknown name
            (Key(self.key.name, "hmac-sha512", self.key.secret), "BADKEY"),  # wrong algorithm
        ]
        for key, word in cases:
            rc, out = self.nsupdate(key, "update add bad.{z} 300 A 192.0.2.66")
            self.assert_refused(rc, out, word, key.spec())
        self.assert_unchanged(before)
        self.assert_served("bad", "A", [])

    def test_nsupdate_apex_ns_and_soa_are_refused(self):
        before = self.snapshot()
        for cmd in ("update delete {z} NS",
                    "update add {z} 86400 NS ns3.example.net.",
                    "update delete {z} NS %s" % NAMESERVERS[0],
                    "update add {z} 3600 SOA a.example.net. b.example.net. 9 1 1 1 1"):
            rc, out = self.nsupdate(self.key, cmd)
            self.assert_refused(rc, out, "REFUSED", cmd)
        self.assert_unchanged(before)

    def test_nsupdate_outside_the_zone_is_notzone(self):
        before = self.snapshot()
        rc, out = self.nsupdate(self.key, "update add www.example.org. 300 A 192.0.2.1")
        self.assert_refused(rc, out, "NOTZONE")
        self.assert_unchanged(before)

    def test_policy_limited_key_writes_only_acme_txt(self):
        acme = self.stack.mint_key("acme-%s" % self.z, policies=[
            {"zone": self.z, "name": "_acme-challenge.**", "type": "TXT", "write": True}])
        serial = self.stack.serial(self.z)
        rc, out = self.nsupdate(acme, """
            update add _acme-challenge.{z} 60 TXT "for the apex"
            update add _acme-challenge.www.{z} 60 TXT "for www" """)
        self.assertEqual(rc, 0, out)
        self.assert_written(acme, serial)
        self.assert_served("_acme-challenge.www", "TXT", ['"for www"'])
        before = self.snapshot()
        for cmd in ("update add www.{z} 300 A 192.0.2.99",
                    "update add _acme-challenge.{z} 300 CAA 0 issue \"ca.example.net\"",
                    "update delete www.{z}",
                    "update add acme.{z} 60 TXT \"x\""):
            rc, out = self.nsupdate(acme, cmd)
            self.assert_refused(rc, out, "REFUSED", cmd)
        self.assert_unchanged(before)
        # Its own records it may delete again.
        rc, out = self.nsupdate(acme, "update delete _acme-challenge.www.{z} TXT")
        self.assertEqual(rc, 0, out)
        self.assert_written(acme, before[1])
        self.assert_served("_acme-challenge.www", "TXT", [])

    def test_key_without_records_write_is_refused(self):
        reader = self.stack.mint_key("reader-%s" % self.z, scopes=["records:read"])
        before = self.snapshot()
        rc, out = self.nsupdate(reader, "update add r.{z} 300 A 192.0.2.1")
        self.assert_refused(rc, out, "REFUSED")
        self.assert_unchanged(before)

    def test_revoked_key_is_badkey(self):
        k = self.stack.mint_key("revoked-%s" % self.z)
        serial = self.stack.serial(self.z)
        rc, out = self.nsupdate(k, "update add rv.{z} 300 A 192.0.2.1")
        self.assertEqual(rc, 0, out)
        self.assert_written(k, serial)
        self.stack.api("DELETE", "/v1/tsig-keys/" + k.id, "/v1/tsig-keys/{id}", expect=200)
        before = self.snapshot()
        rc, out = self.nsupdate(k, "update delete rv.{z} A")
        self.assert_refused(rc, out, "BADKEY")
        self.assert_unchanged(before)

    # -- knsupdate -----------------------------------------------------------

    def test_knsupdate_add_replace_delete(self):
        for tcp in (False, True):
            serial = self.stack.serial(self.z)
            rc, out = self.knsupdate(self.key, """
                prereq nxrrset kn.{z} TXT
                add kn.{z} 300 TXT "first" "second"
                add _sip._tcp.{z} 300 SRV 10 5 5060 sip.example.net.""", tcp=tcp)
            self.assertEqual(rc, 0, out)
            zone = self.records()
            self.assertIn((self.n("kn"), 300, "TXT", '"first" "second"'), zone)
            self.assertIn((self.n("_sip._tcp"), 300, "SRV", "10 5 5060 sip.example.net."), zone)
            self.assert_served("kn", "TXT", ['"first" "second"'])
            rc, out = self.knsupdate(self.key, """
                prereq yxrrset kn.{z} TXT
                del kn.{z} TXT
                add kn.{z} 300 TXT "replaced" """, tcp=tcp)
            self.assertEqual(rc, 0, out)
            self.assertEqual(self.at("kn"), {(self.n("kn"), 300, "TXT", "replaced")})
            self.assert_served("kn", "TXT", ['"replaced"'])
            rc, out = self.knsupdate(self.key, """
                prereq yxdomain kn.{z}
                del kn.{z}
                del _sip._tcp.{z} SRV 10 5 5060 sip.example.net.""", tcp=tcp)
            self.assertEqual(rc, 0, out)
            self.assertEqual(self.at("kn") | self.at("_sip._tcp"), set())
            self.assert_written(self.key, serial, steps=3)
            self.assert_served("kn", "TXT", [])
            self.assert_served("_sip._tcp", "SRV", [])

    def test_knsupdate_failed_prerequisite_changes_nothing(self):
        before = self.snapshot()
        rc, out = self.knsupdate(self.key, """
            prereq yxrrset www.{z} A 192.0.2.200
            del www.{z} A""")
        self.assert_refused(rc, out, "NXRRSET")
        self.assert_unchanged(before)

    def test_knsupdate_wrong_secret_is_badsig(self):
        before = self.snapshot()
        rc, out = self.knsupdate(Key(self.key512.name, "hmac-sha512"),
                                 "add bad.{z} 300 A 192.0.2.66")
        self.assert_refused(rc, out, "BADSIG")
        self.assert_unchanged(before)

    # -- dnspython -----------------------------------------------------------

    def dnspython_update(self, key, edns=True, zone=None):
        u = dns.update.UpdateMessage(zone or self.z, keyring=key.keyring(), keyname=key.name,
                                     keyalgorithm=dns.name.from_text(key.algorithm))
        if edns:
            u.use_edns(0)
        return u

    def send(self, msg, tcp=False):
        # dns.query checks the answer's TSIG against the request and raises
        # when it does not verify, so every answer here was signed correctly.
        if tcp:
            return dns.query.tcp(msg, "127.0.0.1", port=LISTEN_PORT, timeout=10)
        return dns.query.udp(msg, "127.0.0.1", port=LISTEN_PORT, timeout=10)

    def test_dnspython_signs_and_verifies_both_algorithms(self):
        for key in (self.key, self.key512):
            for tcp in (False, True):
                name = self.n("py-%s-%d" % (key.algorithm, int(tcp)))
                serial = self.stack.serial(self.z)
                u = self.dnspython_update(key)
                u.add(name, 300, "A", "192.0.2.10")
                r = self.send(u, tcp)
                self.assertEqual(r.rcode(), dns.rcode.NOERROR)
                self.assertTrue(r.had_tsig)
                self.assertIn((name, 300, "A", "192.0.2.10"), self.records())
                self.assert_written(key, serial)

    def test_rule_refusal_carries_an_extended_error_naming_the_rule(self):
        before = self.snapshot()
        u = self.dnspython_update(self.key)
        u.add(self.n("www"), 3600, "CNAME", "other.example.net.")
        r = self.send(u)
        self.assertEqual(r.rcode(), dns.rcode.REFUSED)
        self.assertTrue(any(t.startswith("cname_conflict:") for t in ede_texts(r)), r.options)
        u = self.dnspython_update(self.key)
        u.add(self.n("ttl"), 5, "A", "192.0.2.1")
        r = self.send(u)
        self.assertEqual(r.rcode(), dns.rcode.REFUSED)
        self.assertTrue(any(t.startswith("ttl_out_of_range:") for t in ede_texts(r)), r.options)
        u = self.dnspython_update(self.key)
        u.delete(self.z, "NS")
        r = self.send(u, tcp=True)
        self.assertEqual(r.rcode(), dns.rcode.REFUSED)
        self.assertTrue(any(t.startswith("system_record:") for t in ede_texts(r)), r.options)
        # Without EDNS the answer has no OPT record, and still the rcode.
        u = self.dnspython_update(self.key, edns=False)
        u.add(self.n("www"), 3600, "CNAME", "other.example.net.")
        r = self.send(u)
        self.assertEqual(r.rcode(), dns.rcode.REFUSED)
        self.assertEqual(r.edns, -1)
        self.assert_unchanged(before)

    def test_unsigned_update_is_refused(self):
        before = self.snapshot()
        u = dns.update.UpdateMessage(self.z)
        u.use_edns(0)
        u.add(self.n("unsigned"), 300, "A", "192.0.2.1")
        r = dns.query.udp(u, "127.0.0.1", port=LISTEN_PORT, timeout=10)
        self.assertEqual(r.rcode(), dns.rcode.REFUSED)
        self.assertEqual([(int(o.code), UNSIGNED in o.text) for o in r.options
                          if int(o.otype) == 15], [(18, True)])  # Prohibited
        self.assert_unchanged(before)

    def test_update_for_a_zone_it_does_not_have_is_notauth(self):
        before = self.snapshot()
        u = self.dnspython_update(self.key, zone="example.org.")
        u.add("www.example.org.", 300, "A", "192.0.2.1")
        r = self.send(u)
        self.assertEqual(r.rcode(), dns.rcode.NOTAUTH)
        self.assert_unchanged(before)

    def test_soa_and_ns_queries_are_answered_and_others_refused(self):
        q = dns.message.make_query(self.z, "SOA")
        r = dns.query.udp(q, "127.0.0.1", port=LISTEN_PORT, timeout=10)
        self.assertEqual(r.rcode(), dns.rcode.NOERROR)
        self.assertTrue(r.flags & dns.flags.AA)
        soa = r.find_rrset(r.answer, dns.name.from_text(self.z), dns.rdataclass.IN,
                           dns.rdatatype.SOA)
        self.assertEqual(soa[0].serial, self.stack.serial(self.z))
        q = dns.message.make_query(self.z, "NS")
        r = dns.query.tcp(q, "127.0.0.1", port=LISTEN_PORT, timeout=10)
        names = sorted(str(rd.target) for rd in r.answer[0])
        self.assertEqual(names, sorted(NAMESERVERS))
        for qname, qtype in ((self.n("www"), "A"), (self.z, "A"), ("example.org.", "SOA")):
            r = dns.query.udp(dns.message.make_query(qname, qtype), "127.0.0.1",
                              port=LISTEN_PORT, timeout=10)
            self.assertEqual(r.rcode(), dns.rcode.REFUSED, (qname, qtype))
        # The SOA of a name below the apex: NODATA, the zone's SOA in the
        # authority section - clients find the zone by asking for the SOA of
        # each parent in turn, and lego's rfc2136 provider gives up on any
        # rcode but NOERROR and NXDOMAIN (REFUSED included).
        for qname in (self.n("_acme-challenge.www"), self.n("www"), self.n("nothing")):
            r = dns.query.udp(dns.message.make_query(qname, "SOA"), "127.0.0.1",
                              port=LISTEN_PORT, timeout=10)
            self.assertEqual(r.rcode(), dns.rcode.NOERROR, qname)
            self.assertTrue(r.flags & dns.flags.AA, qname)
            self.assertEqual(r.answer, [], qname)
            auth = r.find_rrset(r.authority, dns.name.from_text(self.z), dns.rdataclass.IN,
                                dns.rdatatype.SOA)
            self.assertEqual(auth[0].serial, self.stack.serial(self.z), qname)
        # A signed query gets a signed answer (dnspython verifies it), a
        # refusal too (certbot's rfc2136 plugin signs its SOA queries).
        for qname, rcodes in ((self.z, (dns.rcode.NOERROR,)),
                              ("example.org.", (dns.rcode.REFUSED,)),
                              (self.n("www"), (dns.rcode.NOERROR,))):
            q = dns.message.make_query(qname, "SOA")
            q.use_tsig(self.key512.keyring(), keyname=self.key512.name,
                       algorithm=dns.name.from_text("hmac-sha512"))
            r = dns.query.udp(q, "127.0.0.1", port=LISTEN_PORT, timeout=10)
            self.assertIn(r.rcode(), rcodes, qname)
            self.assertTrue(r.had_tsig, qname)

    def test_replayed_request_is_refused(self):
        u = self.dnspython_update(self.key)
        u.add(self.n("replay"), 300, "TXT", "once")
        wire = u.to_wire()
        first = parse_answer(send_udp_raw(LISTEN_PORT, wire))
        self.assertEqual(first["rcode"], dns.rcode.NOERROR)
        before = self.snapshot()
        answer = send_udp_raw(LISTEN_PORT, wire)
        again = parse_answer(answer)
        self.assertEqual(again["rcode"], dns.rcode.NOTAUTH)
        self.assertEqual(again["tsig"]["error"], dns.rcode.BADTIME)
        # Signed (the MAC verified; only the repeat is refused).
        self.assertEqual(again["tsig"]["mac"],
                         tsig_mac_of_answer(answer, again, self.key, u.mac))
        self.assert_unchanged(before)

    def test_time_outside_the_fudge_is_badtime_signed_with_the_server_time(self):
        before = self.snapshot()
        for skew in (-3600, 3600, -301):
            u = dns.update.UpdateMessage(self.z)
            u.add(self.n("late"), 300, "A", "192.0.2.1")
            signed_at = int(time.time()) + skew
            wire, mac = sign_at(u.to_wire(), self.key, signed_at)
            sent_at = int(time.time())
            answer = send_udp_raw(LISTEN_PORT, wire)
            parsed = parse_answer(answer)
            self.assertEqual(parsed["rcode"], dns.rcode.NOTAUTH, skew)
            tsig = parsed["tsig"]
            self.assertEqual(tsig["error"], dns.rcode.BADTIME, skew)
            # RFC 8945 5.2.3: the request's Time Signed, the server's time in Other Data.
            self.assertEqual(tsig["time_signed"], signed_at)
            self.assertEqual(len(tsig["other"]), 6)
            self.assertLessEqual(abs(int.from_bytes(tsig["other"], "big") - sent_at), 5)
            self.assertEqual(tsig["mac"], tsig_mac_of_answer(answer, parsed, self.key, mac))
            with self.assertRaises(dns.tsig.PeerBadTime):
                dns.message.from_wire(answer, keyring=self.key.keyring(), request_mac=mac)
        # Within the fudge it is applied.
        u = dns.update.UpdateMessage(self.z)
        u.add(self.n("skewed"), 300, "A", "192.0.2.2")
        wire, mac = sign_at(u.to_wire(), self.key, int(time.time()) - 200)
        self.assertEqual(parse_answer(send_udp_raw(LISTEN_PORT, wire))["rcode"],
                         dns.rcode.NOERROR)
        self.assertEqual(self.snapshot()[1], before[1] + 1)


if __name__ == "__main__":
    unittest.main(verbosity=2)
