"""End to end: DNS UPDATE through `dnsapi serve`'s listener while serve
connects as the serving role of `dnsapi db grant` (as every e2e stack does).

A TSIG key minted through the API signs UPDATEs sent by dnspython to
DNSAPI_UPDATE_LISTEN on 127.0.0.1. What the serving role must be able to do
for that: look the key up (tsig_keys), open the write with
dnsapi_tsig_key_check (which sets dnsapi.tsig_key_id for the transaction),
write the records, and have the owner's audit trigger - with 0022's trigger
on changes inside it - name the key in the audit trail. Checked: the
update's answer, the record through the HTTP API, the audit row's
tsig_key_id (and no token) read as the owner; an UPDATE that touches the
apex NS set, and one signed by a revoked key, change nothing.
"""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ApiTestCase, ZoneHelpers, tport  # noqa: E402

import dns.exception  # noqa: E402
import dns.message  # noqa: E402
import dns.query  # noqa: E402
import dns.rcode  # noqa: E402
import dns.tsig  # noqa: E402
import dns.tsigkeyring  # noqa: E402
import dns.update  # noqa: E402

UPDATE_PORT = tport(15444)
ZONE = "upd-role.test."


class UpdateAsServingRoleTest(ZoneHelpers, ApiTestCase):
    STACK_NAME = "update_role"
    STACK_PORT = 18177
    STACK_ENV = {"DNSAPI_UPDATE_LISTEN": "127.0.0.1:%d" % UPDATE_PORT}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        user = cls.stack.psql(cls.stack.db_url,
                              "SELECT rolname FROM pg_roles WHERE rolname = '%s'"
                              % cls.stack.SERVE_ROLE)
        assert user == cls.stack.SERVE_ROLE, "the serving role was not made"

    def mint_key(self, name):
        r = self.call("POST", "/v1/tsig-keys", "/v1/tsig-keys", expect=201,
                      body={"name": name, "algorithm": "hmac-sha256",
                            "scopes": ["records:write"], "zones": [ZONE]})
        data = r.json["data"]
        key = data["tsig_key"]
        keyring = dns.tsigkeyring.from_text({key["name"]: data["secret"]})
        return key["id"], key["name"], keyring

    def send(self, update):
        return dns.query.udp(update, "127.0.0.1", port=UPDATE_PORT, timeout=10)

    def update(self, keyname, keyring):
        return dns.update.Update(ZONE, keyring=keyring, keyname=keyname,
                                 keyalgorithm=dns.tsig.HMAC_SHA256)

    def state(self):
        return (self.stack.sql("SELECT serial FROM zones WHERE name = '%s'" % ZONE),
                self.stack.sql("SELECT string_agg(r.name || ' ' || r.type || ' ' || r.content,"
                               " ',' ORDER BY r.name, r.type, r.content) FROM records r JOIN zones z"
                               " ON z.id = r.zone_id WHERE z.name = '%s'" % ZONE),
                self.stack.sql("SELECT count(*) FROM changes"))

    def test_update_is_written_and_its_audit_entry_names_the_key(self):
        self.create_zone(ZONE)
        kid, kname, keyring = self.mint_key("writer.%s" % ZONE)
        u = self.update(kname, keyring)
        u.absent("www")
        u.add("www", 300, "TXT", '"by update"')
        answer = self.send(u)
        self.assertEqual(answer.rcode(), dns.rcode.NOERROR, answer)
        records = self.list_records(ZONE, name="www." + ZONE)
        self.assertEqual([(x["type"], x["content"]) for x in records], [("TXT", "by update")])
        audit = self.stack.sql("SELECT coalesce(tsig_key_id::text, '-') || ' '"
                               " || coalesce(token_id::text, '-') FROM changes"
                               " WHERE name = 'www.%s'" % ZONE)
        self.assertEqual(audit, "%s -" % kid)

        # the apex NS set is dnsapi's: refused, nothing changed
        before = self.state()
        u = self.update(kname, keyring)
        u.delete(ZONE, "NS")
        answer = self.send(u)
        self.assertEqual(answer.rcode(), dns.rcode.REFUSED, answer)
        self.assertEqual(self.state(), before)

        # a revoked key is unknown from the next message on
        self.call("DELETE", "/v1/tsig-keys/%s" % kid, "/v1/tsig-keys/{id}", expect=200)
        u = self.update(kname, keyring)
        u.add("late", 300, "TXT", '"too late"')
        try:
            answer = self.send(u)
            self.assertNotEqual(answer.rcode(), dns.rcode.NOERROR, answer)
        except dns.exception.DNSException:
            pass  # dnspython refuses the unsigned BADKEY answer itself
        self.assertEqual(self.state(), before)


if __name__ == "__main__":
    unittest.main(verbosity=2)
