"""End to end, bad input: malformed, truncated, oversized and wrongly signed
DNS UPDATE messages sent to the protocol core (tests/tools/dns_update_server)
over UDP and TCP. Every answer is checked - none where RFC 1035 says to
stay silent (shorter than a header, a response), otherwise a well-formed
answer with the request's id, QR set and an error rcode - and the zone is
the same record for record and serial for serial after each group. The
server must live through all of it, with no sanitizer report.

Random inputs come from a fixed seed, so a failure reproduces; every loop
is bounded in count, every socket in time.
"""

import os
import random
import struct
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import harness  # noqa: E402
from update_server import (ZONE, Key, UpdateServer, parse_answer, send_tcp_raw,  # noqa: E402
                           send_udp_raw)

import dns.name  # noqa: E402
import dns.rcode  # noqa: E402
import dns.update  # noqa: E402

PORT = harness.tport(15402)
SEED = 20261213
ERRORS = {dns.rcode.FORMERR, dns.rcode.NOTAUTH, dns.rcode.REFUSED, dns.rcode.NOTIMP,
          dns.rcode.NOTZONE, dns.rcode.SERVFAIL, dns.rcode.BADVERS}


def signed_update(key, name="fuzz.example.com.", data="seed", edns=True):
    u = dns.update.UpdateMessage(ZONE, keyring=key.keyring(), keyname=key.name)
    if edns:
        u.use_edns(0)
    u.add(name, 300, "TXT", data)
    return u.to_wire()


def with_mac(wire, mac_size):
    """wire (a signed message whose TSIG is last) with its MAC cut or padded
    to mac_size octets and the record's lengths fixed up."""
    parsed = parse_answer_request(wire)
    t = parsed["tsig"]
    start = t["start"]
    pos = start
    while wire[pos] != 0:
        pos += 1 + wire[pos]
    pos += 1  # owner name (uncompressed, as dnspython writes it)
    rdata_at = pos + 10
    alg_end = rdata_at
    while wire[alg_end] != 0:
        alg_end += 1 + wire[alg_end]
    alg_end += 1
    mac_at = alg_end + 10
    mac = t["mac"]
    new_mac = (mac * 3)[:mac_size]
    tail = wire[mac_at + len(mac):]
    rdata = wire[rdata_at:alg_end + 8] + struct.pack("!H", mac_size) + new_mac + tail
    return wire[:pos + 8] + struct.pack("!H", len(rdata)) + rdata


def parse_answer_request(wire):
    """parse_answer reads requests too (it only looks at the layout)."""
    return parse_answer(wire)


class BadInputTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.key = Key("fuzz-key.")
        cls.server = UpdateServer(PORT, [cls.key])
        cls.rng = random.Random(SEED)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def setUp(self):
        self.before = self.server.dump()
        self.serial = self.server.serial()

    def assert_unchanged(self):
        self.assertTrue(self.server.alive(), self.server.log())
        self.assertEqual(self.server.dump(), self.before)
        self.assertEqual(self.server.serial(), self.serial)

    def exchange(self, request, sender=send_udp_raw, allowed=ERRORS, what=""):
        """Sends request and checks the answer: silence exactly when RFC 1035
        asks for it (waiting briefly), else a well-formed answer to this
        request with an allowed rcode. Returns the parsed answer or None."""
        silent = len(request) < 12 or bool(request[2] & 0x80)
        answer = sender(PORT, request, timeout=0.3 if silent else 5)
        if silent:
            self.assertIsNone(answer, "answered a message that gets no answer: %s %r"
                              % (what, request[:40]))
            return None
        self.assertIsNotNone(answer, "no answer to %s %r" % (what, request[:40]))
        parsed = parse_answer(answer)
        self.assertEqual(parsed["id"], struct.unpack("!H", request[:2])[0], what)
        self.assertTrue(parsed["flags"] & 0x8000, what)
        self.assertIn(parsed["rcode"], allowed, "%s: rcode %d for %r" % (what, parsed["rcode"],
                                                                         request[:60]))
        return parsed

    def test_truncated_signed_updates_are_formerr(self):
        wire = signed_update(self.key, data="truncated")
        for n in range(len(wire)):
            part = wire[:n]
            parsed = self.exchange(part, send_udp_raw, {dns.rcode.FORMERR}, "truncated at %d" % n)
            if parsed is not None:
                self.assertIsNone(parsed["tsig"], "a FORMERR answer carries no TSIG")
        self.assert_unchanged()

    def test_mutated_signed_updates_are_refused(self):
        wire = signed_update(self.key, name="mutated.example.com.", data="original")
        # The original once, so that a mutation of the header id alone (which
        # the MAC does not cover: it signs the Original ID) is a replay.
        first = parse_answer(send_udp_raw(PORT, wire))
        self.assertEqual(first["rcode"], dns.rcode.NOERROR)
        self.before, self.serial = self.server.dump(), self.server.serial()
        for i in range(1500):
            m = bytearray(wire)
            for _ in range(self.rng.randint(1, 4)):
                at = self.rng.randrange(len(m))
                m[at] ^= 1 << self.rng.randrange(8)
            m = bytes(m)
            if m == wire:
                continue
            # FORMERR, a TSIG error, or - when the mutation turned the TSIG
            # record into another type - an unsigned UPDATE: REFUSED, or
            # BADVERS when the OPT record's version changed too.
            parsed = self.exchange(m, send_udp_raw,
                                   {dns.rcode.FORMERR, dns.rcode.NOTAUTH, dns.rcode.REFUSED,
                                    dns.rcode.BADVERS}, "mutation %d" % i)
            if parsed is not None and parsed["rcode"] == dns.rcode.BADVERS:
                self.assertIsNone(parsed["tsig"], "mutation %d: a signed BADVERS" % i)
            if parsed is not None and parsed["rcode"] == dns.rcode.NOTAUTH:
                self.assertIn(parsed["tsig"]["error"], (16, 17, 18), "mutation %d" % i)
            if parsed is not None and parsed["rcode"] == dns.rcode.REFUSED:
                self.assertTrue(any(t.startswith("unsigned:") for t in parsed["ede"]),
                                "mutation %d: %r" % (i, parsed["ede"]))
        self.assert_unchanged()

    def test_random_messages_get_error_answers(self):
        for i in range(1500):
            n = self.rng.choice([12, 13, 17, 30, 64, 200, 512, 1400] * 4 + [0, 5, 11])
            m = bytearray(self.rng.getrandbits(8) for _ in range(n))
            if n >= 3 and self.rng.random() < 0.9:
                m[2] &= 0x7F  # mostly queries, so that most get an answer
            if n >= 4 and self.rng.random() < 0.7:
                m[2] = (m[2] & 0x87) | (5 << 3)  # opcode UPDATE
            if n >= 12 and self.rng.random() < 0.7:
                counts = [self.rng.choice([0, 1, 2, 255, 65535]) for _ in range(4)]
                m[4:12] = struct.pack("!HHHH", *counts)
            m = bytes(m)
            sender = send_tcp_raw if i % 10 == 0 else send_udp_raw
            parsed = self.exchange(m, sender, ERRORS | {dns.rcode.NOERROR}, "random %d" % i)
            if parsed is not None and (m[2] >> 3) & 0xF == 5:
                self.assertNotEqual(parsed["rcode"], dns.rcode.NOERROR,
                                    "an unsigned random UPDATE was accepted: %r" % m[:40])
        self.assert_unchanged()

    def test_edns_version_1_is_badvers(self):
        u = dns.update.UpdateMessage(ZONE, keyring=self.key.keyring(), keyname=self.key.name)
        u.use_edns(1)
        u.add("v1.example.com.", 300, "A", "192.0.2.1")
        wire = u.to_wire()
        parsed = self.exchange(wire, send_udp_raw, {dns.rcode.BADVERS}, "EDNS 1")
        self.assertEqual(parsed["tsig"]["error"], 0)  # verified, and the answer signed
        self.assertEqual(len(parsed["tsig"]["mac"]), 32)
        self.assert_unchanged()

    def test_compression_loops_and_bad_pointers_are_formerr(self):
        header = struct.pack("!HHHHHH", 0x1234, 5 << 11, 1, 0, 1, 0)
        cases = [
            header + b"\xc0\x0c" + b"\x00\x06\x00\x01",                       # points at itself
            header + b"\xc0\x20" + b"\x00\x06\x00\x01",                       # points forward
            header + b"\x07example\x03com\x00\x00\x06\x00\x01" + b"\xc0\x1e\x00\x10\x00\x01"
            + b"\x00\x00\x01\x2c\x00\x01\x00",                                # pointer loop in update
            header + b"\x07example\x03com\x00\x00\x06\x00\x01" + b"\x40abc\x00",  # label type 0x40
            header + b"\x3fabc",                                              # label runs out
        ]
        for i, m in enumerate(cases):
            for sender in (send_udp_raw, send_tcp_raw):
                self.exchange(m, sender, {dns.rcode.FORMERR},
                                  "case %d" % i)
        self.assert_unchanged()

    def test_oversized_updates_are_refused(self):
        # Over 1000 records: REFUSED, signed.
        u = dns.update.UpdateMessage(ZONE, keyring=self.key.keyring(), keyname=self.key.name)
        for i in range(1100):
            u.add("n%d.example.com." % i, 300, "A", "192.0.2.1")
        wire = u.to_wire(max_size=65535)
        parsed = self.exchange(wire, send_tcp_raw, {dns.rcode.REFUSED}, "1100 records")
        self.assertEqual(parsed["tsig"]["error"], 0)
        self.assertEqual(len(parsed["tsig"]["mac"]), 32)
        # One TXT of 240 strings: more content than a record may hold.
        u = dns.update.UpdateMessage(ZONE, keyring=self.key.keyring(), keyname=self.key.name)
        u.use_edns(0)
        u.add("big.example.com.", 300, "TXT", " ".join(['"%s"' % ("x" * 250)] * 240))
        wire = u.to_wire(max_size=65535)
        parsed = self.exchange(wire, send_tcp_raw, {dns.rcode.REFUSED}, "huge TXT")
        self.assertTrue(any(t.startswith("bad_rdata:") for t in parsed["ede"]), parsed["ede"])
        # A datagram larger than any answer, of junk after a valid header.
        m = struct.pack("!HHHHHH", 7, 5 << 11, 1, 0, 0, 0) + bytes(8000)
        self.exchange(m, send_udp_raw, {dns.rcode.FORMERR}, "junk")
        self.assert_unchanged()

    def test_wrongly_signed_updates(self):
        cases = [
            (Key(self.key.name), dns.rcode.NOTAUTH, 16),              # wrong secret: BADSIG
            (Key("other-key."), dns.rcode.NOTAUTH, 17),               # unknown key: BADKEY
            (Key(self.key.name, "hmac-sha512", self.key.secret), dns.rcode.NOTAUTH, 17),
        ]
        for key, rcode, error in cases:
            wire = signed_update(key, name="wrong.example.com.")
            parsed = self.exchange(wire, send_udp_raw, {rcode}, key.name)
            self.assertEqual(parsed["tsig"]["error"], error)
            self.assertEqual(parsed["tsig"]["mac"], b"", "BADSIG/BADKEY answers are unsigned")
        # MAC sizes RFC 8945 5.2.2.1 forbids: longer than the hash, or shorter
        # than half of it: FORMERR.
        for size in (0, 9, 15, 33, 64):
            wire = with_mac(signed_update(self.key, name="mac.example.com."), size)
            self.exchange(wire, send_udp_raw, {dns.rcode.FORMERR},
                              "MAC of %d octets" % size)
        self.assert_unchanged()

    def test_truncated_mac_within_the_rules_is_accepted(self):
        wire = with_mac(signed_update(self.key, name="trunc.example.com.", data="half"), 16)
        parsed = self.exchange(wire, send_udp_raw, {dns.rcode.NOERROR},
                                   "16-octet MAC")
        self.assertEqual(parsed["tsig"]["error"], 0)
        self.assertIn(("trunc.example.com.", 300, "TXT", "half"), self.server.dump())
        self.assertEqual(self.server.serial(), self.serial + 1)


if __name__ == "__main__":
    unittest.main(verbosity=2)
