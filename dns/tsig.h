/*
 * tsig.h - TSIG (RFC 8945) with hmac-sha256 and hmac-sha512: reading the
 * TSIG record of a message, verifying a request, signing an answer (or a
 * request, for clients and tests), and a replay cache.
 *
 * Verification follows RFC 8945 5.2 in its order:
 *   1. key (5.2.1): no such key, or not this algorithm      -> NOTAUTH/BADKEY, answer unsigned
 *   2. MAC size (5.2.2.1): longer than the hash, or shorter than
 *      max(10, half the hash)                               -> FORMERR, unsigned
 *   3. MAC (5.2.2)                                          -> NOTAUTH/BADSIG, answer unsigned
 *   4. time (5.2.3): |now - Time Signed| > fudge, with the fudge taken
 *      as the smaller of the request's and max_fudge       -> NOTAUTH/BADTIME, answer signed,
 *                                                             Other Data = server time
 *   5. truncation policy (5.2.4): MAC shorter than min_mac  -> NOTAUTH/BADTRUNC, answer signed
 *   6. replay: the same key and MAC seen before within the
 *      window                                               -> NOTAUTH/BADTIME, answer signed
 *
 * Replay protection (our choice; RFC 8945 5.2.3 only suggests remembering
 * the latest Time Signed per key, which would refuse two clients sharing a
 * key whose messages cross): every verified request's MAC is remembered,
 * per key, until its time window (Time Signed + fudge) has passed; after
 * that the time check refuses it anyway. A request that repeats a
 * remembered MAC is a replay, answered BADTIME. A client that retransmits
 * the very same bytes (a lost UDP answer) gets BADTIME for the retry and
 * should sign again. The cache is per process: several listener processes
 * do not share it.
 *
 * The answer's MAC covers the request's MAC as received (a truncated
 * request MAC is used truncated, 5.3.1), the answer, and the TSIG variables.
 * Secrets never leave the dns_tsig_key_t; MACs are compared in constant
 * time. No I/O.
 */
#ifndef DNSAPI_DNS_TSIG_H
#define DNSAPI_DNS_TSIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "dns/wire.h"

#define DNS_TSIG_SECRET_MAX 128 /* bytes: hmac-sha512 keys longer than a block are hashed */
#define DNS_TSIG_MAC_MAX 64
#define DNS_TSIG_DEFAULT_FUDGE 300
/* Room a TSIG record takes at most in an answer: owner and algorithm
 * names, fixed fields, a full MAC and 6 octets of Other Data. */
#define DNS_TSIG_RR_MAX (DNS_WIRE_NAME_MAX + DNS_WIRE_NAME_MAX + 10 + 16 + DNS_TSIG_MAC_MAX + 6)

typedef enum {
    DNS_TSIG_ALG_UNKNOWN = 0,
    DNS_TSIG_HMAC_SHA256 = 1,
    DNS_TSIG_HMAC_SHA512 = 2,
} dns_tsig_alg_t;

/* A key: its name (absolute, lowercase text), algorithm and secret. */
typedef struct {
    char name[DNS_WIRE_NAME_TEXT];
    dns_tsig_alg_t alg;
    uint8_t secret[DNS_TSIG_SECRET_MAX];
    size_t secret_len;
} dns_tsig_key_t;

/* The algorithm of a name ("hmac-sha256", case-insensitive, trailing dot
 * optional), or DNS_TSIG_ALG_UNKNOWN. */
dns_tsig_alg_t dns_tsig_alg_from_text(const char *name);
/* "hmac-sha256" / "hmac-sha512" (no trailing dot), or "unknown". */
const char *dns_tsig_alg_name(dns_tsig_alg_t alg);
/* The MAC length of alg: 32 or 64, 0 for unknown. */
size_t dns_tsig_alg_mac_len(dns_tsig_alg_t alg);

/* Fills key from "algorithm:name:base64-secret" (nsupdate -y's form; the
 * algorithm may be left out, meaning hmac-sha256). DNSAPI_EINVAL with err
 * (code bad_tsig_key) when a part is wrong or the secret is empty. */
int dns_tsig_key_parse(const char *text, dns_tsig_key_t *key, dnsapi_err_t *err);

/* A fresh random secret of the algorithm's MAC length (RFC 8945 6:
 * at least as long as the hash output). DNSAPI_EINTERNAL if the random
 * generator fails. */
int dns_tsig_secret_generate(dns_tsig_alg_t alg, uint8_t *secret, size_t *len);

/* The TSIG record of a message, as read. Pointers point into the message. */
typedef struct {
    size_t at; /* where the record starts: the message without it is msg[0..at) */
    uint8_t key_name[DNS_WIRE_NAME_MAX];
    size_t key_name_len; /* lowercased wire form */
    char key_text[DNS_WIRE_NAME_TEXT];
    uint8_t alg_name[DNS_WIRE_NAME_MAX];
    size_t alg_name_len;
    dns_tsig_alg_t alg;
    uint64_t time_signed;
    uint16_t fudge;
    uint16_t mac_size;
    const uint8_t *mac;
    uint16_t original_id;
    uint16_t error;
    uint16_t other_len;
    const uint8_t *other;
} dns_tsig_rr_t;

/* Reads the TSIG record that starts at msg[at] (dns_msg_info_t.tsig_at)
 * and must end the message. DNSAPI_EBADREQ (FORMERR) when it is not a
 * well-formed TSIG record. */
int dns_tsig_read(const uint8_t *msg, size_t len, size_t at, dns_tsig_rr_t *rr, dnsapi_err_t *err);

typedef struct dns_tsig_replay dns_tsig_replay_t;

/* A replay cache remembering up to capacity MACs (rounded up to a power
 * of two; 0 means 16384). Thread-safe. NULL when out of memory. */
dns_tsig_replay_t *dns_tsig_replay_new(size_t capacity);
void dns_tsig_replay_free(dns_tsig_replay_t *c);

/* Returns true when (key, mac) was remembered and has not expired;
 * otherwise remembers it until expires (seconds, the end of its window)
 * and returns false. When every slot a MAC could take holds an unexpired
 * one, the one expiring first is forgotten. */
bool dns_tsig_replay_seen(dns_tsig_replay_t *c, const uint8_t *key, size_t key_len,
                          const uint8_t *mac, size_t mac_len, uint64_t expires, uint64_t now);

/* Local policy for verification. */
typedef struct {
    uint16_t max_fudge; /* the window is at most this (0: DNS_TSIG_DEFAULT_FUDGE) */
    size_t min_mac;     /* shorter MACs are BADTRUNC (0: the RFC minimum) */
} dns_tsig_policy_t;

/* What verification decided, and what the answer needs. */
typedef struct {
    uint16_t rcode;      /* NOERROR, NOTAUTH or FORMERR */
    uint16_t tsig_error; /* 0, BADSIG, BADKEY, BADTIME, BADTRUNC */
    bool sign_answer;    /* sign the answer with the key (else add an unsigned TSIG) */
    bool replay;         /* BADTIME because the MAC was seen before */
    uint8_t key_name[DNS_WIRE_NAME_MAX];
    size_t key_name_len;
    uint8_t alg_name[DNS_WIRE_NAME_MAX];
    size_t alg_name_len;
    uint8_t request_mac[DNS_TSIG_MAC_MAX];
    size_t request_mac_len;
    uint64_t request_time;
    uint16_t fudge;
    dnsapi_err_t err; /* why, for logs (never sent: TSIG errors carry no text) */
} dns_tsig_verdict_t;

/* Verifies the request msg[0..len) whose TSIG record is rr against key,
 * the caller's key of that name (NULL when it has none: BADKEY), at time
 * now (seconds since the epoch), remembering its MAC in replay (may be
 * NULL: no replay protection). DNSAPI_OK when the request is
 * authentic; DNSAPI_EAUTH or DNSAPI_EBADREQ otherwise, v saying how to
 * answer. */
int dns_tsig_verify(const uint8_t *msg, size_t len, const dns_tsig_rr_t *rr,
                    const dns_tsig_key_t *key, uint64_t now, const dns_tsig_policy_t *policy,
                    dns_tsig_replay_t *replay, dns_tsig_verdict_t *v);

/* Appends the TSIG record to the answer buf[0..*len) (cap octets) built
 * for a request that v verified (or refused): signed with key for
 * v->sign_answer (Time Signed now, or for BADTIME the request's, with now
 * in Other Data), else unsigned (MAC size 0) naming the request's key and
 * algorithm. Raises ARCOUNT. DNSAPI_EINVAL when it does not fit or key is
 * NULL for a signed answer. */
int dns_tsig_sign_answer(uint8_t *buf, size_t *len, size_t cap, const dns_tsig_key_t *key,
                         const dns_tsig_verdict_t *v, uint64_t now);

/* Signs a request buf[0..*len) with key at time now with fudge, appending
 * the TSIG record and writing the MAC into mac (DNS_TSIG_MAC_MAX) and its
 * length into *mac_len, as a client does. DNSAPI_EINVAL when it does not
 * fit. */
int dns_tsig_sign_request(uint8_t *buf, size_t *len, size_t cap, const dns_tsig_key_t *key,
                          uint64_t now, uint16_t fudge, uint8_t *mac, size_t *mac_len);

/* Verifies an answer msg[0..len) to a request signed with key whose MAC
 * was request_mac (as a client does). DNSAPI_OK when authentic and in its
 * window; DNSAPI_EAUTH otherwise (err says why). */
int dns_tsig_verify_answer(const uint8_t *msg, size_t len, const dns_tsig_key_t *key,
                           const uint8_t *request_mac, size_t request_mac_len, uint64_t now,
                           dnsapi_err_t *err);

#endif
