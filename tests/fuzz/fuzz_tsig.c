/*
 * fuzz_tsig.c - libFuzzer harness for TSIG (dns/tsig.c).
 *
 * Input: one octet choosing the algorithm, one giving the secret's length
 * (1..64), the secret, then a DNS message. Invariants:
 *  - a message we sign verifies with the same key at the same time, and
 *    stops verifying when any octet the MAC covers changes (everything but
 *    the header ID, which RFC 8945 replaces by the Original ID);
 *  - the input message, verified as a request: whatever is accepted is a
 *    message that was signed - signing its stripped form again with the
 *    same time and fudge gives the MAC it carries;
 *  - every verdict can be answered: the answer is built and signed (or
 *    not) as the verdict says, and a signed answer verifies as a client
 *    would check it.
 *
 * Self-contained (no support library): it drops into tests/fuzz's
 * framework unchanged. Seeds: tests/fuzz/corpus/tsig/.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns/message.h"
#include "dns/tsig.h"

#define TSIG_CHECK(cond, ...)                                                                      \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_tsig: %s:%d: %s: ", __FILE__, __LINE__, #cond);                  \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fprintf(stderr, "\n");                                                                 \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#define NOW 1700000000u

static int verify_msg(const uint8_t *msg, size_t len, const dns_tsig_key_t *key, uint64_t now,
                      dns_tsig_rr_t *rr, dns_tsig_verdict_t *v)
{
    dns_msg_info_t info;
    dnsapi_err_t err;
    if (dns_msg_info_parse(msg, len, &info, &err) != DNSAPI_OK || !info.has_tsig ||
        dns_tsig_read(msg, len, info.tsig_at, rr, &err) != DNSAPI_OK) {
        return DNSAPI_EBADREQ;
    }
    return dns_tsig_verify(msg, len, rr, key, now, NULL, NULL, v);
}

/* Signs our own copy of the message and checks it verifies, and that a
 * changed octet makes it fail. */
static void check_sign_verify(const dns_tsig_key_t *key, const uint8_t *msg, size_t len,
                              size_t flip)
{
    static uint8_t buf[70000];
    uint8_t mac[DNS_TSIG_MAC_MAX];
    size_t mac_len = 0, n = len;
    dns_msg_info_t info;
    dnsapi_err_t err;
    if (len > 65535 - DNS_TSIG_RR_MAX || dns_msg_info_parse(msg, len, &info, &err) != DNSAPI_OK ||
        info.has_tsig || info.count[3] == 65535) {
        return; /* only well-formed unsigned messages that have room */
    }
    memcpy(buf, msg, len);
    TSIG_CHECK(dns_tsig_sign_request(buf, &n, sizeof(buf), key, NOW, 300, mac, &mac_len) ==
                   DNSAPI_OK,
               "sign");
    dns_tsig_rr_t rr;
    dns_tsig_verdict_t v;
    TSIG_CHECK(verify_msg(buf, n, key, NOW, &rr, &v) == DNSAPI_OK, "own signature: %s",
               v.err.message);
    TSIG_CHECK(v.request_mac_len == mac_len && memcmp(v.request_mac, mac, mac_len) == 0, "mac");
    /* One changed octet among those the MAC covers. */
    size_t at = 2 + flip % (n - 2);
    buf[at] ^= 0x01;
    /* Bit 0 never turns a letter into its other case, so no flip is
     * harmless: every one must fail. */
    int rc = verify_msg(buf, n, key, NOW, &rr, &v);
    TSIG_CHECK(rc != DNSAPI_OK, "flipped octet %zu of %zu still verifies", at, n);
}

/* Verifies the input as a request; what passes must be what signing gives. */
static void check_input(const dns_tsig_key_t *key, const uint8_t *msg, size_t len)
{
    static uint8_t buf[70000];
    dns_tsig_rr_t rr;
    dns_tsig_verdict_t v;
    memset(&v, 0, sizeof(v));
    memset(&rr, 0, sizeof(rr));
    int rc = verify_msg(msg, len, key, NOW, &rr, &v);
    if (rc == DNSAPI_EBADREQ && v.rcode == 0) {
        return; /* no TSIG record to speak of */
    }
    if (rc == DNSAPI_OK && rr.error == 0 && rr.other_len == 0) {
        memcpy(buf, msg, rr.at);
        buf[0] = (uint8_t)(rr.original_id >> 8);
        buf[1] = (uint8_t)rr.original_id;
        uint16_t ar = (uint16_t)(dns_wire_get_u16(buf + 10) - 1);
        buf[10] = (uint8_t)(ar >> 8);
        buf[11] = (uint8_t)ar;
        size_t n = rr.at;
        uint8_t mac[DNS_TSIG_MAC_MAX];
        size_t mac_len = 0;
        TSIG_CHECK(dns_tsig_sign_request(buf, &n, sizeof(buf), key, rr.time_signed, rr.fudge, mac,
                                         &mac_len) == DNSAPI_OK,
                   "re-sign");
        TSIG_CHECK(memcmp(mac, rr.mac, rr.mac_size) == 0, "accepted a MAC signing does not give");
    }
    /* Answer whatever the verdict, as a listener would. */
    dns_msg_info_t info;
    dnsapi_err_t err;
    if (dns_msg_info_parse(msg, len, &info, &err) != DNSAPI_OK) {
        return;
    }
    uint8_t out[1400];
    size_t n = 0;
    dns_reply_t r = {.rcode = rc == DNSAPI_OK ? DNS_RCODE_NOERROR : v.rcode};
    TSIG_CHECK(dns_reply_build(&info, &r, out, sizeof(out), sizeof(out) - DNS_TSIG_RR_MAX, &n) ==
                   DNSAPI_OK,
               "answer");
    rc = dns_tsig_sign_answer(out, &n, sizeof(out), v.sign_answer ? key : NULL, &v, NOW);
    TSIG_CHECK(rc == DNSAPI_OK, "sign answer");
    if (v.sign_answer) {
        TSIG_CHECK(v.tsig_error != 0 ||
                       dns_tsig_verify_answer(out, n, key, v.request_mac, v.request_mac_len, NOW,
                                              &err) == DNSAPI_OK,
                   "our signed answer does not verify: %s", err.message);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dns_tsig_key_t key;
    if (size < 3) {
        return 0;
    }
    memset(&key, 0, sizeof(key));
    snprintf(key.name, sizeof(key.name), "fuzz-key.example.");
    key.alg = (data[0] & 1) ? DNS_TSIG_HMAC_SHA512 : DNS_TSIG_HMAC_SHA256;
    key.secret_len = 1 + data[1] % 64;
    if (size < 2 + key.secret_len) {
        return 0;
    }
    memcpy(key.secret, data + 2, key.secret_len);
    const uint8_t *msg = data + 2 + key.secret_len;
    size_t len = size - 2 - key.secret_len;
    check_input(&key, msg, len);
    check_sign_verify(&key, msg, len, data[0]);
    return 0;
}
