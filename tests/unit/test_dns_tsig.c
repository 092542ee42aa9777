/* Unit tests for dns/tsig.c: RFC 8945 signing and verification, the order
 * and answers of its checks, MAC truncation, replays, and known vectors
 * (the MACs dnspython's dns.tsig computes for the same input). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/base64.h"
#include "dns/message.h"
#include "dns/tsig.h"

#define NOW 1700000000u

static void key_init(dns_tsig_key_t *k, const char *name, dns_tsig_alg_t alg, uint8_t fill)
{
    memset(k, 0, sizeof(*k));
    snprintf(k->name, sizeof(k->name), "%s", name);
    k->alg = alg;
    k->secret_len = dns_tsig_alg_mac_len(alg);
    for (size_t i = 0; i < k->secret_len; i++) {
        k->secret[i] = (uint8_t)(fill + i);
    }
}

/* An UPDATE of example.com. with an empty body, id 0x1234. */
static size_t message(uint8_t *buf)
{
    static const uint8_t m[] = {0x12, 0x34, 0x28, 0,   0,   1, 0,   0,   0,   0, 0, 0, 7, 'e', 'x',
                                'a',  'm',  'p',  'l', 'e', 3, 'c', 'o', 'm', 0, 0, 6, 0, 1};
    memcpy(buf, m, sizeof(m));
    return sizeof(m);
}

static void hex(const uint8_t *p, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++) {
        sprintf(out + 2 * i, "%02x", p[i]);
    }
}

/* Reads the TSIG of a signed message and verifies it. */
static int verify(const uint8_t *buf, size_t len, const dns_tsig_key_t *key, uint64_t now,
                  const dns_tsig_policy_t *policy, dns_tsig_replay_t *replay, dns_tsig_verdict_t *v)
{
    dns_msg_info_t info;
    dnsapi_err_t err;
    dns_tsig_rr_t rr;
    assert_int_equal(dns_msg_info_parse(buf, len, &info, &err), DNSAPI_OK);
    assert_true(info.has_tsig);
    assert_int_equal(dns_tsig_read(buf, len, info.tsig_at, &rr, &err), DNSAPI_OK);
    return dns_tsig_verify(buf, len, &rr, key, now, policy, replay, v);
}

static void test_known_vectors_match_dnspython(void **state)
{
    static const char *const expect[] = {
        "abc91b80f7477b3263f575077991909a1bacf6222ff0a14ab752edc9248cf5d2",
        "3ac838e9d2ea56d88adc600cd197e223da2ce1de45931ae60f6e85dc49cb354912a5ec97c6d96bef07f765"
        "2e97dc46f6eafcbe921565cef8dc879a2d8afcc65a",
    };
    const dns_tsig_alg_t algs[] = {DNS_TSIG_HMAC_SHA256, DNS_TSIG_HMAC_SHA512};
    for (int i = 0; i < 2; i++) {
        dns_tsig_key_t key;
        key_init(&key, "test-key.", algs[i], 1);
        uint8_t buf[512], mac[DNS_TSIG_MAC_MAX];
        size_t len = message(buf), mac_len = 0;
        char text[2 * DNS_TSIG_MAC_MAX + 1];
        assert_int_equal(
            dns_tsig_sign_request(buf, &len, sizeof(buf), &key, NOW, 300, mac, &mac_len),
            DNSAPI_OK);
        hex(mac, mac_len, text);
        assert_string_equal(text, expect[i]);
        dns_tsig_verdict_t v;
        assert_int_equal(verify(buf, len, &key, NOW, NULL, NULL, &v), DNSAPI_OK);
        assert_int_equal(v.rcode, DNS_RCODE_NOERROR);
        assert_true(v.sign_answer);
        assert_int_equal(v.request_mac_len, mac_len);
    }
}

static void test_wrong_secret_is_badsig_unsigned(void **state)
{
    dns_tsig_key_t key, other;
    key_init(&key, "k.", DNS_TSIG_HMAC_SHA256, 1);
    key_init(&other, "k.", DNS_TSIG_HMAC_SHA256, 2);
    uint8_t buf[512], mac[64];
    size_t len = message(buf), ml;
    assert_int_equal(dns_tsig_sign_request(buf, &len, sizeof(buf), &other, NOW, 300, mac, &ml),
                     DNSAPI_OK);
    dns_tsig_verdict_t v;
    assert_int_equal(verify(buf, len, &key, NOW, NULL, NULL, &v), DNSAPI_EAUTH);
    assert_int_equal(v.rcode, DNS_RCODE_NOTAUTH);
    assert_int_equal(v.tsig_error, DNS_TSIG_ERR_BADSIG);
    assert_false(v.sign_answer);
    /* The unsigned answer names the key, with an empty MAC and the error. */
    uint8_t out[512];
    size_t n = 12;
    memset(out, 0, 12);
    out[0] = 0x12;
    out[1] = 0x34;
    assert_int_equal(dns_tsig_sign_answer(out, &n, sizeof(out), NULL, &v, NOW), DNSAPI_OK);
    dns_tsig_rr_t rr;
    dnsapi_err_t err;
    assert_int_equal(dns_tsig_read(out, n, 12, &rr, &err), DNSAPI_OK);
    assert_string_equal(rr.key_text, "k.");
    assert_int_equal(rr.mac_size, 0);
    assert_int_equal(rr.error, DNS_TSIG_ERR_BADSIG);
    assert_int_equal(dns_wire_get_u16(out + 10), 1);
}

static void test_unknown_key_or_algorithm_is_badkey(void **state)
{
    dns_tsig_key_t key, k512;
    key_init(&key, "k.", DNS_TSIG_HMAC_SHA256, 1);
    key_init(&k512, "k.", DNS_TSIG_HMAC_SHA512, 1);
    uint8_t buf[512], mac[64];
    size_t len = message(buf), ml;
    assert_int_equal(dns_tsig_sign_request(buf, &len, sizeof(buf), &key, NOW, 300, mac, &ml),
                     DNSAPI_OK);
    dns_tsig_verdict_t v;
    assert_int_equal(verify(buf, len, NULL, NOW, NULL, NULL, &v), DNSAPI_EAUTH);
    assert_int_equal(v.tsig_error, DNS_TSIG_ERR_BADKEY);
    assert_false(v.sign_answer);
    assert_int_equal(verify(buf, len, &k512, NOW, NULL, NULL, &v), DNSAPI_EAUTH);
    assert_int_equal(v.tsig_error, DNS_TSIG_ERR_BADKEY);
}

static void test_time_outside_the_window_is_badtime_signed(void **state)
{
    dns_tsig_key_t key;
    key_init(&key, "k.", DNS_TSIG_HMAC_SHA256, 1);
    uint8_t buf[512], mac[64];
    size_t len = message(buf), ml;
    assert_int_equal(dns_tsig_sign_request(buf, &len, sizeof(buf), &key, NOW, 300, mac, &ml),
                     DNSAPI_OK);
    dns_tsig_verdict_t v;
    assert_int_equal(verify(buf, len, &key, NOW + 300, NULL, NULL, &v), DNSAPI_OK);
    assert_int_equal(verify(buf, len, &key, NOW - 300, NULL, NULL, &v), DNSAPI_OK);
    assert_int_equal(verify(buf, len, &key, NOW + 301, NULL, NULL, &v), DNSAPI_EAUTH);
    assert_int_equal(v.tsig_error, DNS_TSIG_ERR_BADTIME);
    assert_true(v.sign_answer);
    assert_int_equal(verify(buf, len, &key, NOW - 301, NULL, NULL, &v), DNSAPI_EAUTH);
    assert_int_equal(v.tsig_error, DNS_TSIG_ERR_BADTIME);
    /* The server caps a generous fudge. */
    len = message(buf);
    assert_int_equal(dns_tsig_sign_request(buf, &len, sizeof(buf), &key, NOW, 65535, mac, &ml),
                     DNSAPI_OK);
    dns_tsig_policy_t policy = {60, 0};
    assert_int_equal(verify(buf, len, &key, NOW + 61, &policy, NULL, &v), DNSAPI_EAUTH);
    assert_int_equal(v.tsig_error, DNS_TSIG_ERR_BADTIME);

    /* The BADTIME answer: signed, Time Signed of the request, now in Other Data,
     * and it verifies as an answer to that request. */
    uint8_t out[512];
    size_t n = 12;
    memcpy(out, buf, 12);
    out[2] |= 0x80;
    memset(out + 4, 0, 8);
    assert_int_equal(dns_tsig_sign_answer(out, &n, sizeof(out), &key, &v, NOW + 61), DNSAPI_OK);
    dns_tsig_rr_t rr;
    dnsapi_err_t err;
    assert_int_equal(dns_tsig_read(out, n, 12, &rr, &err), DNSAPI_OK);
    assert_int_equal(rr.error, DNS_TSIG_ERR_BADTIME);
    assert_int_equal(rr.time_signed, NOW);
    assert_int_equal(rr.other_len, 6);
    assert_int_equal(dns_wire_get_u48(rr.other), NOW + 61);
    assert_int_equal(rr.mac_size, 32);
}

static void test_mac_size_rules(void **state)
{
    dns_tsig_key_t key;
    key_init(&key, "k.", DNS_TSIG_HMAC_SHA256, 1);
    uint8_t buf[512], mac[64];
    size_t len = message(buf), ml;
    assert_int_equal(dns_tsig_sign_request(buf, &len, sizeof(buf), &key, NOW, 300, mac, &ml),
                     DNSAPI_OK);
    /* The MAC is the last 32 + 6 octets before Original ID...: rewrite its size. */
    size_t mac_size_at = len - 6 - 32 - 2;
    size_t rdlen_at = 12 + 17 + 3 + 8; /* after question, owner "k." (3), type class ttl */
    assert_int_equal(dns_wire_get_u16(buf + mac_size_at), 32);
    struct {
        size_t size;
        int rc;
        uint16_t rcode;
    } cases[] = {{16, DNSAPI_OK, DNS_RCODE_NOERROR},
                 {20, DNSAPI_OK, DNS_RCODE_NOERROR},
                 {15, DNSAPI_EBADREQ, DNS_RCODE_FORMERR},
                 {9, DNSAPI_EBADREQ, DNS_RCODE_FORMERR}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint8_t t[512];
        size_t cut = 32 - cases[i].size;
        memcpy(t, buf, mac_size_at + 2 + cases[i].size);
        memcpy(t + mac_size_at + 2 + cases[i].size, buf + mac_size_at + 2 + 32, 6);
        size_t tlen = len - cut;
        t[mac_size_at] = 0;
        t[mac_size_at + 1] = (uint8_t)cases[i].size;
        uint16_t rdlen = (uint16_t)(dns_wire_get_u16(buf + rdlen_at) - cut);
        t[rdlen_at] = (uint8_t)(rdlen >> 8);
        t[rdlen_at + 1] = (uint8_t)rdlen;
        dns_tsig_verdict_t v;
        assert_int_equal(verify(t, tlen, &key, NOW, NULL, NULL, &v), cases[i].rc);
        assert_int_equal(v.rcode, cases[i].rcode);
        if (cases[i].size == 16) {
            /* A local policy asking for more: BADTRUNC, signed. */
            dns_tsig_policy_t policy = {0, 32};
            assert_int_equal(verify(t, tlen, &key, NOW, &policy, NULL, &v), DNSAPI_EAUTH);
            assert_int_equal(v.tsig_error, DNS_TSIG_ERR_BADTRUNC);
            assert_true(v.sign_answer);
            assert_int_equal(v.request_mac_len, 16);
        }
    }
}

static void test_replays_within_the_window_are_badtime(void **state)
{
    dns_tsig_key_t key;
    key_init(&key, "k.", DNS_TSIG_HMAC_SHA512, 3);
    dns_tsig_replay_t *replay = dns_tsig_replay_new(64);
    assert_non_null(replay);
    uint8_t buf[512], mac[64];
    size_t len = message(buf), ml;
    assert_int_equal(dns_tsig_sign_request(buf, &len, sizeof(buf), &key, NOW, 300, mac, &ml),
                     DNSAPI_OK);
    dns_tsig_verdict_t v;
    assert_int_equal(verify(buf, len, &key, NOW, NULL, replay, &v), DNSAPI_OK);
    assert_int_equal(verify(buf, len, &key, NOW + 1, NULL, replay, &v), DNSAPI_EAUTH);
    assert_int_equal(v.tsig_error, DNS_TSIG_ERR_BADTIME);
    assert_true(v.replay);
    assert_true(v.sign_answer);
    /* Another message is not a replay. */
    uint8_t buf2[512];
    size_t len2 = message(buf2);
    assert_int_equal(dns_tsig_sign_request(buf2, &len2, sizeof(buf2), &key, NOW + 1, 300, mac, &ml),
                     DNSAPI_OK);
    assert_int_equal(verify(buf2, len2, &key, NOW + 1, NULL, replay, &v), DNSAPI_OK);
    /* Past its window the time check refuses it, whatever the cache says. */
    assert_int_equal(verify(buf, len, &key, NOW + 400, NULL, replay, &v), DNSAPI_EAUTH);
    assert_false(v.replay);
    /* A full cache forgets the oldest, never refuses a fresh MAC. */
    for (uint8_t i = 0; i < 200; i++) {
        uint8_t m[32] = {i};
        assert_false(dns_tsig_replay_seen(replay, (const uint8_t *)"\x01k", 3, m, sizeof(m),
                                          NOW + 300, NOW));
    }
    dns_tsig_replay_free(replay);
}

static void test_signed_answer_verifies_and_binds_the_request(void **state)
{
    dns_tsig_key_t key;
    key_init(&key, "Update-Key.Example.", DNS_TSIG_HMAC_SHA256, 9);
    snprintf(key.name, sizeof(key.name), "update-key.example.");
    uint8_t buf[512], mac[64];
    size_t len = message(buf), ml;
    assert_int_equal(dns_tsig_sign_request(buf, &len, sizeof(buf), &key, NOW, 300, mac, &ml),
                     DNSAPI_OK);
    dns_tsig_verdict_t v;
    assert_int_equal(verify(buf, len, &key, NOW, NULL, NULL, &v), DNSAPI_OK);
    uint8_t out[512];
    size_t n = 29;
    memcpy(out, buf, 29);
    out[2] |= 0x80;
    out[11] = 0;
    assert_int_equal(dns_tsig_sign_answer(out, &n, sizeof(out), &key, &v, NOW + 2), DNSAPI_OK);
    dnsapi_err_t err;
    assert_int_equal(dns_tsig_verify_answer(out, n, &key, mac, ml, NOW + 2, &err), DNSAPI_OK);
    /* bound to the request's MAC */
    uint8_t other_mac[64];
    memcpy(other_mac, mac, ml);
    other_mac[0] ^= 1;
    assert_int_equal(dns_tsig_verify_answer(out, n, &key, other_mac, ml, NOW + 2, &err),
                     DNSAPI_EAUTH);
    /* any octet changed */
    out[5] ^= 1;
    assert_int_equal(dns_tsig_verify_answer(out, n, &key, mac, ml, NOW + 2, &err), DNSAPI_EAUTH);
    out[5] ^= 1;
    /* outside the client's window */
    assert_int_equal(dns_tsig_verify_answer(out, n, &key, mac, ml, NOW + 1000, &err), DNSAPI_EAUTH);
    /* no room */
    n = 29;
    assert_int_equal(dns_tsig_sign_answer(out, &n, 40, &key, &v, NOW), DNSAPI_EINVAL);
}

static void test_tsig_record_faults_are_formerr(void **state)
{
    dns_tsig_key_t key;
    key_init(&key, "k.", DNS_TSIG_HMAC_SHA256, 1);
    uint8_t buf[512], mac[64];
    size_t len = message(buf), ml;
    assert_int_equal(dns_tsig_sign_request(buf, &len, sizeof(buf), &key, NOW, 300, mac, &ml),
                     DNSAPI_OK);
    dns_tsig_rr_t rr;
    dnsapi_err_t err;
    size_t at = 29;
    assert_int_equal(dns_tsig_read(buf, len, at, &rr, &err), DNSAPI_OK);
    assert_int_equal(rr.alg, DNS_TSIG_HMAC_SHA256);
    assert_int_equal(rr.original_id, 0x1234);
    assert_int_equal(dns_tsig_read(buf, len - 1, at, &rr, &err), DNSAPI_EBADREQ);
    uint8_t t[512];
    memcpy(t, buf, len);
    t[at + 3 + 4] = 1; /* TTL */
    assert_int_equal(dns_tsig_read(t, len, at, &rr, &err), DNSAPI_EBADREQ);
    memcpy(t, buf, len);
    t[len - 1] = 5; /* other len */
    assert_int_equal(dns_tsig_read(t, len, at, &rr, &err), DNSAPI_EBADREQ);
    memcpy(t, buf, len);
    t[len - 6 - 32 - 2] = 0x7f; /* MAC size past the end */
    assert_int_equal(dns_tsig_read(t, len, at, &rr, &err), DNSAPI_EBADREQ);
}

static void test_key_parse(void **state)
{
    dns_tsig_key_t key;
    dnsapi_err_t err;
    assert_int_equal(dns_tsig_key_parse("hmac-sha512:Key.Example:AAECAw==", &key, &err), DNSAPI_OK);
    assert_int_equal(key.alg, DNS_TSIG_HMAC_SHA512);
    assert_string_equal(key.name, "key.example.");
    assert_int_equal(key.secret_len, 4);
    assert_int_equal(key.secret[3], 3);
    assert_int_equal(dns_tsig_key_parse("key.:AAECAw==", &key, &err), DNSAPI_OK);
    assert_int_equal(key.alg, DNS_TSIG_HMAC_SHA256);
    assert_int_equal(dns_tsig_key_parse("hmac-md5:key.:AAECAw==", &key, &err), DNSAPI_EINVAL);
    assert_int_equal(dns_tsig_key_parse("hmac-sha256:key.:not base64", &key, &err), DNSAPI_EINVAL);
    assert_int_equal(dns_tsig_key_parse("hmac-sha256:key.:", &key, &err), DNSAPI_EINVAL);
    assert_int_equal(dns_tsig_key_parse("hmac-sha256::AAECAw==", &key, &err), DNSAPI_EINVAL);
    assert_int_equal(dns_tsig_key_parse("justone", &key, &err), DNSAPI_EINVAL);
    uint8_t secret[64];
    size_t n;
    assert_int_equal(dns_tsig_secret_generate(DNS_TSIG_HMAC_SHA512, secret, &n), DNSAPI_OK);
    assert_int_equal(n, 64);
}

static void test_base64_is_strict(void **state)
{
    uint8_t out[16];
    char text[32];
    assert_int_equal(base64_decode("AAECAw==", out, sizeof(out)), 4);
    assert_int_equal(base64_decode("AAECAw=", out, sizeof(out)), -1);
    assert_int_equal(base64_decode("AAECAx==", out, sizeof(out)), -1); /* non-zero pad bits */
    assert_int_equal(base64_decode("AA=CAw==", out, sizeof(out)), -1);
    assert_int_equal(base64_decode("AAEC Aw=", out, sizeof(out)), -1);
    assert_int_equal(base64_decode("", out, sizeof(out)), 0);
    assert_int_equal(base64_decode("AAAAAAAAAAAAAAAAAAAAAAAA", out, 16), -1); /* does not fit */
    static const uint8_t in[] = {0xff, 0xee, 0xdd, 0xcc, 0xbb};
    assert_int_equal(base64_encode(in, sizeof(in), text, sizeof(text)), 8);
    assert_string_equal(text, "/+7dzLs=");
    assert_int_equal(base64_encode(in, sizeof(in), text, 8), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_vectors_match_dnspython),
        cmocka_unit_test(test_wrong_secret_is_badsig_unsigned),
        cmocka_unit_test(test_unknown_key_or_algorithm_is_badkey),
        cmocka_unit_test(test_time_outside_the_window_is_badtime_signed),
        cmocka_unit_test(test_mac_size_rules),
        cmocka_unit_test(test_replays_within_the_window_are_badtime),
        cmocka_unit_test(test_signed_answer_verifies_and_binds_the_request),
        cmocka_unit_test(test_tsig_record_faults_are_formerr),
        cmocka_unit_test(test_key_parse),
        cmocka_unit_test(test_base64_is_strict),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
