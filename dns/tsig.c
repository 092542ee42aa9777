/*
 * tsig.c - TSIG (RFC 8945) verification and signing with OpenSSL's HMAC
 * (see tsig.h for the order of checks and the replay policy).
 *
 * The MAC input (RFC 8945 4.3): for an answer, the request's MAC with its
 * 16-bit length first; then the message without its TSIG record, with
 * ARCOUNT not counting it and the ID replaced by Original ID; then the TSIG
 * variables: key name and algorithm name in canonical (lowercase,
 * uncompressed) wire form, class ANY, TTL 0, Time Signed, Fudge, Error,
 * Other Len and Other Data.
 */
#include "dns/tsig.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "common/base64.h"

static const uint8_t ALG_SHA256[] = "\x0bhmac-sha256";
static const uint8_t ALG_SHA512[] = "\x0bhmac-sha512";

dns_tsig_alg_t dns_tsig_alg_from_text(const char *name)
{
    if (name == NULL) {
        return DNS_TSIG_ALG_UNKNOWN;
    }
    if (strcasecmp(name, "hmac-sha256") == 0 || strcasecmp(name, "hmac-sha256.") == 0) {
        return DNS_TSIG_HMAC_SHA256;
    }
    if (strcasecmp(name, "hmac-sha512") == 0 || strcasecmp(name, "hmac-sha512.") == 0) {
        return DNS_TSIG_HMAC_SHA512;
    }
    return DNS_TSIG_ALG_UNKNOWN;
}

const char *dns_tsig_alg_name(dns_tsig_alg_t alg)
{
    switch (alg) {
    case DNS_TSIG_HMAC_SHA256:
        return "hmac-sha256";
    case DNS_TSIG_HMAC_SHA512:
        return "hmac-sha512";
    default:
        return "unknown";
    }
}

size_t dns_tsig_alg_mac_len(dns_tsig_alg_t alg)
{
    return alg == DNS_TSIG_HMAC_SHA256 ? 32 : alg == DNS_TSIG_HMAC_SHA512 ? 64 : 0;
}

/* The algorithm's name in wire form (13 octets with the root label). */
static const uint8_t *alg_wire(dns_tsig_alg_t alg, size_t *len)
{
    *len = 13;
    return alg == DNS_TSIG_HMAC_SHA512 ? ALG_SHA512 : ALG_SHA256;
}

static dns_tsig_alg_t alg_from_wire(const uint8_t *name, size_t len)
{
    if (len == 13 && dns_wire_name_equal(name, len, ALG_SHA256, 13)) {
        return DNS_TSIG_HMAC_SHA256;
    }
    if (len == 13 && dns_wire_name_equal(name, len, ALG_SHA512, 13)) {
        return DNS_TSIG_HMAC_SHA512;
    }
    return DNS_TSIG_ALG_UNKNOWN;
}

int dns_tsig_key_parse(const char *text, dns_tsig_key_t *key, dnsapi_err_t *err)
{
    char buf[DNS_WIRE_NAME_TEXT + 64];
    const char *parts[3];
    size_t n = 0;
    uint8_t wire[DNS_WIRE_NAME_MAX];
    size_t wlen;

    memset(key, 0, sizeof(*key));
    if (text == NULL || strlen(text) >= sizeof(buf) - 1) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_tsig_key", NULL,
                              "A TSIG key is written algorithm:name:secret.");
    }
    memcpy(buf, text, strlen(text) + 1);
    char *p = buf;
    parts[n++] = p;
    while ((p = strchr(p, ':')) != NULL && n < 3) {
        *p++ = '\0';
        parts[n++] = p;
    }
    if (n == 2) {
        parts[2] = parts[1];
        parts[1] = parts[0];
        parts[0] = "hmac-sha256";
    } else if (n != 3 || strchr(parts[2], ':') != NULL) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_tsig_key", NULL,
                              "A TSIG key is written algorithm:name:secret.");
    }
    key->alg = dns_tsig_alg_from_text(parts[0]);
    if (key->alg == DNS_TSIG_ALG_UNKNOWN) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_tsig_key", NULL,
                              "The TSIG algorithm must be hmac-sha256 or hmac-sha512.");
    }
    if (parts[1][0] == '\0' || dns_wire_name_from_text(parts[1], wire, &wlen) != DNSAPI_OK ||
        wlen < 2) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_tsig_key", NULL,
                              "The TSIG key name is not a domain name.");
    }
    dns_wire_name_to_text(wire, wlen, key->name, sizeof(key->name));
    long slen = base64_decode(parts[2], key->secret, sizeof(key->secret));
    if (slen <= 0) {
        memset(key, 0, sizeof(*key));
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_tsig_key", NULL,
                              "The TSIG secret must be base64 of 1 to %d bytes.",
                              DNS_TSIG_SECRET_MAX);
    }
    key->secret_len = (size_t)slen;
    return DNSAPI_OK;
}

int dns_tsig_secret_generate(dns_tsig_alg_t alg, uint8_t *secret, size_t *len)
{
    size_t n = dns_tsig_alg_mac_len(alg);
    if (n == 0 || RAND_bytes(secret, (int)n) != 1) {
        return DNSAPI_EINTERNAL;
    }
    *len = n;
    return DNSAPI_OK;
}

/* ---- HMAC ------------------------------------------------------------ */

static EVP_MAC *g_hmac;
static pthread_once_t g_hmac_once = PTHREAD_ONCE_INIT;

static void hmac_fetch(void)
{
    g_hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
}

/* The TSIG variables (RFC 8945 4.3.3) of one MAC. */
typedef struct {
    const uint8_t *key_name;
    size_t key_name_len;
    const uint8_t *alg_name;
    size_t alg_name_len;
    uint64_t time_signed;
    uint16_t fudge;
    uint16_t error;
    const uint8_t *other;
    uint16_t other_len;
} vars_t;

/* MAC of [prior MAC] + header hdr + body + variables, into out. */
static int mac_compute(const dns_tsig_key_t *key, const uint8_t *prior, size_t prior_len,
                       const uint8_t hdr[DNS_WIRE_HEADER], const uint8_t *body, size_t body_len,
                       const vars_t *vars, uint8_t *out, size_t *out_len)
{
    uint8_t fixed[32];
    dns_wire_writer_t w;
    int rc = DNSAPI_EINTERNAL;
    char digest[16];

    pthread_once(&g_hmac_once, hmac_fetch);
    if (g_hmac == NULL || key->secret_len == 0) {
        return DNSAPI_EINTERNAL;
    }
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(g_hmac);
    if (ctx == NULL) {
        return DNSAPI_ENOMEM;
    }
    snprintf(digest, sizeof(digest), "%s", key->alg == DNS_TSIG_HMAC_SHA512 ? "SHA512" : "SHA256");
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end(),
    };
    if (EVP_MAC_init(ctx, key->secret, key->secret_len, params) != 1) {
        goto done;
    }
    if (prior != NULL) {
        uint8_t l[2] = {(uint8_t)(prior_len >> 8), (uint8_t)prior_len};
        if (EVP_MAC_update(ctx, l, 2) != 1 || EVP_MAC_update(ctx, prior, prior_len) != 1) {
            goto done;
        }
    }
    if (EVP_MAC_update(ctx, hdr, DNS_WIRE_HEADER) != 1 ||
        (body_len > 0 && EVP_MAC_update(ctx, body, body_len) != 1) ||
        EVP_MAC_update(ctx, vars->key_name, vars->key_name_len) != 1) {
        goto done;
    }
    dns_wire_writer_init(&w, fixed, sizeof(fixed));
    dns_wire_put_u16(&w, DNS_CLASS_ANY);
    dns_wire_put_u32(&w, 0);
    if (EVP_MAC_update(ctx, fixed, w.len) != 1 ||
        EVP_MAC_update(ctx, vars->alg_name, vars->alg_name_len) != 1) {
        goto done;
    }
    dns_wire_writer_init(&w, fixed, sizeof(fixed));
    dns_wire_put_u48(&w, vars->time_signed);
    dns_wire_put_u16(&w, vars->fudge);
    dns_wire_put_u16(&w, vars->error);
    dns_wire_put_u16(&w, vars->other_len);
    if (EVP_MAC_update(ctx, fixed, w.len) != 1 ||
        (vars->other_len > 0 && EVP_MAC_update(ctx, vars->other, vars->other_len) != 1)) {
        goto done;
    }
    size_t n = 0;
    if (EVP_MAC_final(ctx, out, &n, DNS_TSIG_MAC_MAX) != 1) {
        goto done;
    }
    *out_len = n;
    rc = DNSAPI_OK;
done:
    EVP_MAC_CTX_free(ctx);
    return rc;
}

/* ---- reading ------------------------------------------------------- */

static int tsig_formerr(dnsapi_err_t *err, const char *what)
{
    return dnsapi_err_set(err, DNSAPI_EBADREQ, "formerr", NULL, "%s", what);
}

int dns_tsig_read(const uint8_t *msg, size_t len, size_t at, dns_tsig_rr_t *rr, dnsapi_err_t *err)
{
    size_t pos = at;

    memset(rr, 0, sizeof(*rr));
    rr->at = at;
    if (at >= len ||
        dns_wire_name_read(msg, len, &pos, true, rr->key_name, &rr->key_name_len) != DNSAPI_OK ||
        len - pos < 10) {
        return tsig_formerr(err, "The TSIG record is truncated.");
    }
    dns_wire_name_lower(rr->key_name, rr->key_name_len);
    dns_wire_name_to_text(rr->key_name, rr->key_name_len, rr->key_text, sizeof(rr->key_text));
    if (dns_wire_get_u16(msg + pos) != DNS_TYPE_TSIG ||
        dns_wire_get_u16(msg + pos + 2) != DNS_CLASS_ANY || dns_wire_get_u32(msg + pos + 4) != 0) {
        return tsig_formerr(err, "The TSIG record must have class ANY and TTL 0.");
    }
    size_t rdlen = dns_wire_get_u16(msg + pos + 8);
    pos += 10;
    if (len - pos != rdlen) {
        return tsig_formerr(err, "The TSIG record's data does not end the message.");
    }
    if (dns_wire_name_read(msg, len, &pos, true, rr->alg_name, &rr->alg_name_len) != DNSAPI_OK ||
        len - pos < 10) {
        return tsig_formerr(err, "The TSIG record's data is truncated.");
    }
    dns_wire_name_lower(rr->alg_name, rr->alg_name_len);
    rr->alg = alg_from_wire(rr->alg_name, rr->alg_name_len);
    rr->time_signed = dns_wire_get_u48(msg + pos);
    rr->fudge = dns_wire_get_u16(msg + pos + 6);
    rr->mac_size = dns_wire_get_u16(msg + pos + 8);
    pos += 10;
    if (len - pos < (size_t)rr->mac_size + 6) {
        return tsig_formerr(err, "The TSIG MAC runs past the end of the message.");
    }
    rr->mac = msg + pos;
    pos += rr->mac_size;
    rr->original_id = dns_wire_get_u16(msg + pos);
    rr->error = dns_wire_get_u16(msg + pos + 2);
    rr->other_len = dns_wire_get_u16(msg + pos + 4);
    pos += 6;
    if (len - pos != rr->other_len) {
        return tsig_formerr(err, "The TSIG Other Data does not end the message.");
    }
    rr->other = msg + pos;
    return DNSAPI_OK;
}

/* The header of msg as the MAC sees it: ID replaced, ARCOUNT less one. */
static void mac_header(const uint8_t *msg, uint16_t original_id, bool drop_tsig,
                       uint8_t hdr[DNS_WIRE_HEADER])
{
    memcpy(hdr, msg, DNS_WIRE_HEADER);
    hdr[0] = (uint8_t)(original_id >> 8);
    hdr[1] = (uint8_t)original_id;
    if (drop_tsig) {
        uint16_t ar = (uint16_t)(dns_wire_get_u16(msg + 10) - 1);
        hdr[10] = (uint8_t)(ar >> 8);
        hdr[11] = (uint8_t)ar;
    }
}

/* RFC 8945 5.2.2.1 rule 3: the shortest MAC anyone may send. */
static size_t rfc_min_mac(dns_tsig_alg_t alg)
{
    size_t half = dns_tsig_alg_mac_len(alg) / 2;
    return half > 10 ? half : 10;
}

static int refuse(dns_tsig_verdict_t *v, uint16_t rcode, uint16_t tsig_error, bool sign,
                  const char *why)
{
    v->rcode = rcode;
    v->tsig_error = tsig_error;
    v->sign_answer = sign;
    dnsapi_err_set(&v->err, rcode == DNS_RCODE_FORMERR ? DNSAPI_EBADREQ : DNSAPI_EAUTH,
                   rcode == DNS_RCODE_FORMERR ? "formerr" : "tsig", NULL, "%s", why);
    return rcode == DNS_RCODE_FORMERR ? DNSAPI_EBADREQ : DNSAPI_EAUTH;
}

int dns_tsig_verify(const uint8_t *msg, size_t len, const dns_tsig_rr_t *rr,
                    const dns_tsig_key_t *key, uint64_t now, const dns_tsig_policy_t *policy,
                    dns_tsig_replay_t *replay, dns_tsig_verdict_t *v)
{
    uint8_t hdr[DNS_WIRE_HEADER];
    uint8_t mac[DNS_TSIG_MAC_MAX];
    size_t mac_len = 0;

    memset(v, 0, sizeof(*v));
    memcpy(v->key_name, rr->key_name, rr->key_name_len);
    v->key_name_len = rr->key_name_len;
    memcpy(v->alg_name, rr->alg_name, rr->alg_name_len);
    v->alg_name_len = rr->alg_name_len;
    v->request_time = rr->time_signed;
    v->fudge = rr->fudge;
    if (len < DNS_WIRE_HEADER || rr->at < DNS_WIRE_HEADER || rr->at > len) {
        return refuse(v, DNS_RCODE_FORMERR, 0, false, "The TSIG record is misplaced.");
    }

    /* 5.2.1: the key. */
    if (key == NULL || rr->alg == DNS_TSIG_ALG_UNKNOWN || key->alg != rr->alg ||
        strcmp(key->name, rr->key_text) != 0) {
        return refuse(v, DNS_RCODE_NOTAUTH, DNS_TSIG_ERR_BADKEY, false,
                      key == NULL ? "No such TSIG key." : "The TSIG key's algorithm differs.");
    }
    /* 5.2.2.1: MAC size. */
    size_t full = dns_tsig_alg_mac_len(rr->alg);
    if (rr->mac_size > full || rr->mac_size < rfc_min_mac(rr->alg)) {
        return refuse(v, DNS_RCODE_FORMERR, 0, false,
                      "The TSIG MAC size is longer than the hash or shorter than RFC 8945 "
                      "allows.");
    }
    /* 5.2.2: the MAC. */
    vars_t vars = {rr->key_name, rr->key_name_len, rr->alg_name, rr->alg_name_len, rr->time_signed,
                   rr->fudge,    rr->error,        rr->other,    rr->other_len};
    mac_header(msg, rr->original_id, true, hdr);
    int rc = mac_compute(key, NULL, 0, hdr, msg + DNS_WIRE_HEADER, rr->at - DNS_WIRE_HEADER, &vars,
                         mac, &mac_len);
    if (rc != DNSAPI_OK) {
        refuse(v, DNS_RCODE_SERVFAIL, 0, false, "The MAC could not be computed.");
        return rc;
    }
    if (CRYPTO_memcmp(mac, rr->mac, rr->mac_size) != 0) {
        return refuse(v, DNS_RCODE_NOTAUTH, DNS_TSIG_ERR_BADSIG, false,
                      "The TSIG MAC does not verify.");
    }
    memcpy(v->request_mac, rr->mac, rr->mac_size);
    v->request_mac_len = rr->mac_size;

    /* 5.2.3: the time window. */
    uint16_t max_fudge =
        policy != NULL && policy->max_fudge != 0 ? policy->max_fudge : DNS_TSIG_DEFAULT_FUDGE;
    uint16_t fudge = rr->fudge < max_fudge ? rr->fudge : max_fudge;
    if (now > rr->time_signed + fudge || rr->time_signed > now + fudge) {
        return refuse(v, DNS_RCODE_NOTAUTH, DNS_TSIG_ERR_BADTIME, true,
                      "The request was signed outside the time window.");
    }
    /* 5.2.4: local truncation policy. */
    size_t min_mac = policy != NULL && policy->min_mac != 0 ? policy->min_mac : 0;
    if (rr->mac_size < min_mac) {
        return refuse(v, DNS_RCODE_NOTAUTH, DNS_TSIG_ERR_BADTRUNC, true,
                      "The TSIG MAC is truncated more than this server accepts.");
    }
    /* Replays within the window. */
    if (replay != NULL && dns_tsig_replay_seen(replay, rr->key_name, rr->key_name_len, rr->mac,
                                               rr->mac_size, rr->time_signed + fudge, now)) {
        v->replay = true;
        return refuse(v, DNS_RCODE_NOTAUTH, DNS_TSIG_ERR_BADTIME, true,
                      "The request repeats one already received (replay).");
    }
    v->rcode = DNS_RCODE_NOERROR;
    v->sign_answer = true;
    return DNSAPI_OK;
}

/* ---- signing ------------------------------------------------------- */

/* Appends the TSIG record for vars with mac (mac_len may be 0) to
 * buf[0..*len) and raises ARCOUNT. */
static int rr_append(uint8_t *buf, size_t *len, size_t cap, const vars_t *vars, const uint8_t *mac,
                     size_t mac_len, uint16_t original_id)
{
    dns_wire_writer_t w;
    dns_wire_writer_init(&w, buf, cap);
    w.len = *len;
    dns_wire_put_bytes(&w, vars->key_name, vars->key_name_len);
    dns_wire_put_u16(&w, DNS_TYPE_TSIG);
    dns_wire_put_u16(&w, DNS_CLASS_ANY);
    dns_wire_put_u32(&w, 0);
    size_t rdlen_at = w.len;
    dns_wire_put_u16(&w, 0);
    dns_wire_put_bytes(&w, vars->alg_name, vars->alg_name_len);
    dns_wire_put_u48(&w, vars->time_signed);
    dns_wire_put_u16(&w, vars->fudge);
    dns_wire_put_u16(&w, (uint16_t)mac_len);
    dns_wire_put_bytes(&w, mac, mac_len);
    dns_wire_put_u16(&w, original_id);
    dns_wire_put_u16(&w, vars->error);
    dns_wire_put_u16(&w, vars->other_len);
    dns_wire_put_bytes(&w, vars->other, vars->other_len);
    if (w.overflow) {
        return DNSAPI_EINVAL;
    }
    dns_wire_patch_u16(&w, rdlen_at, (uint16_t)(w.len - rdlen_at - 2));
    dns_wire_patch_u16(&w, 10, (uint16_t)(dns_wire_get_u16(buf + 10) + 1));
    *len = w.len;
    return DNSAPI_OK;
}

int dns_tsig_sign_answer(uint8_t *buf, size_t *len, size_t cap, const dns_tsig_key_t *key,
                         const dns_tsig_verdict_t *v, uint64_t now)
{
    uint8_t hdr[DNS_WIRE_HEADER];
    uint8_t mac[DNS_TSIG_MAC_MAX];
    size_t mac_len = 0;
    uint8_t other[6];

    if (*len < DNS_WIRE_HEADER || *len > cap) {
        return DNSAPI_EINVAL;
    }
    if (!v->sign_answer && v->tsig_error == 0) {
        return DNSAPI_OK; /* a FORMERR answer carries no TSIG */
    }
    uint16_t id = dns_wire_get_u16(buf);
    vars_t vars = {v->key_name,
                   v->key_name_len,
                   v->alg_name,
                   v->alg_name_len,
                   now,
                   v->fudge != 0 ? v->fudge : DNS_TSIG_DEFAULT_FUDGE,
                   v->tsig_error,
                   NULL,
                   0};
    if (v->tsig_error == DNS_TSIG_ERR_BADTIME) {
        /* RFC 8945 5.2.3: the request's Time Signed, the server's time in Other Data. */
        dns_wire_writer_t w;
        dns_wire_writer_init(&w, other, sizeof(other));
        dns_wire_put_u48(&w, now);
        vars.time_signed = v->request_time;
        vars.other = other;
        vars.other_len = 6;
    }
    if (v->sign_answer) {
        if (key == NULL) {
            return DNSAPI_EINVAL;
        }
        mac_header(buf, id, false, hdr);
        int rc = mac_compute(key, v->request_mac, v->request_mac_len, hdr, buf + DNS_WIRE_HEADER,
                             *len - DNS_WIRE_HEADER, &vars, mac, &mac_len);
        if (rc != DNSAPI_OK) {
            return rc;
        }
    }
    return rr_append(buf, len, cap, &vars, mac, mac_len, id);
}

int dns_tsig_sign_request(uint8_t *buf, size_t *len, size_t cap, const dns_tsig_key_t *key,
                          uint64_t now, uint16_t fudge, uint8_t *mac, size_t *mac_len)
{
    uint8_t hdr[DNS_WIRE_HEADER];
    uint8_t name[DNS_WIRE_NAME_MAX];
    size_t name_len, alg_len;

    if (*len < DNS_WIRE_HEADER || *len > cap || key->alg == DNS_TSIG_ALG_UNKNOWN ||
        dns_wire_name_from_text(key->name, name, &name_len) != DNSAPI_OK) {
        return DNSAPI_EINVAL;
    }
    dns_wire_name_lower(name, name_len);
    const uint8_t *alg = alg_wire(key->alg, &alg_len);
    uint16_t id = dns_wire_get_u16(buf);
    vars_t vars = {name, name_len, alg, alg_len, now, fudge, 0, NULL, 0};
    mac_header(buf, id, false, hdr);
    int rc = mac_compute(key, NULL, 0, hdr, buf + DNS_WIRE_HEADER, *len - DNS_WIRE_HEADER, &vars,
                         mac, mac_len);
    if (rc != DNSAPI_OK) {
        return rc;
    }
    return rr_append(buf, len, cap, &vars, mac, *mac_len, id);
}

/* Where the last record of msg starts, walking every section. */
static int last_rr(const uint8_t *msg, size_t len, size_t *at)
{
    dns_wire_header_t h;
    size_t pos = DNS_WIRE_HEADER;
    if (!dns_wire_header_read(msg, len, &h) || h.count[3] == 0) {
        return DNSAPI_EBADREQ;
    }
    for (unsigned i = 0; i < h.count[0]; i++) {
        if (dns_wire_name_skip(msg, len, &pos) != DNSAPI_OK || len - pos < 4) {
            return DNSAPI_EBADREQ;
        }
        pos += 4;
    }
    size_t total = (size_t)h.count[1] + h.count[2] + h.count[3];
    for (size_t i = 0; i < total; i++) {
        *at = pos;
        if (dns_wire_rr_skip(msg, len, &pos, NULL, NULL, NULL, NULL, NULL, NULL) != DNSAPI_OK) {
            return DNSAPI_EBADREQ;
        }
    }
    return pos == len ? DNSAPI_OK : DNSAPI_EBADREQ;
}

int dns_tsig_verify_answer(const uint8_t *msg, size_t len, const dns_tsig_key_t *key,
                           const uint8_t *request_mac, size_t request_mac_len, uint64_t now,
                           dnsapi_err_t *err)
{
    dns_tsig_rr_t rr;
    size_t at = 0;
    uint8_t hdr[DNS_WIRE_HEADER];
    uint8_t mac[DNS_TSIG_MAC_MAX];
    size_t mac_len = 0;

    if (last_rr(msg, len, &at) != DNSAPI_OK || dns_tsig_read(msg, len, at, &rr, err) != DNSAPI_OK) {
        return dnsapi_err_set(err, DNSAPI_EAUTH, "tsig", NULL, "The answer has no TSIG record.");
    }
    if (rr.alg != key->alg || strcmp(rr.key_text, key->name) != 0) {
        return dnsapi_err_set(err, DNSAPI_EAUTH, "tsig", NULL, "The answer names another key.");
    }
    if (rr.error != 0) {
        return dnsapi_err_set(err, DNSAPI_EAUTH, "tsig", NULL, "The server answered TSIG error %u.",
                              rr.error);
    }
    if (rr.mac_size < rfc_min_mac(rr.alg) || rr.mac_size > dns_tsig_alg_mac_len(rr.alg)) {
        return dnsapi_err_set(err, DNSAPI_EAUTH, "tsig", NULL, "The answer is not signed.");
    }
    vars_t vars = {rr.key_name, rr.key_name_len, rr.alg_name, rr.alg_name_len, rr.time_signed,
                   rr.fudge,    rr.error,        rr.other,    rr.other_len};
    mac_header(msg, rr.original_id, true, hdr);
    int rc = mac_compute(key, request_mac, request_mac_len, hdr, msg + DNS_WIRE_HEADER,
                         at - DNS_WIRE_HEADER, &vars, mac, &mac_len);
    if (rc != DNSAPI_OK || CRYPTO_memcmp(mac, rr.mac, rr.mac_size) != 0) {
        return dnsapi_err_set(err, DNSAPI_EAUTH, "tsig", NULL, "The answer's MAC does not verify.");
    }
    if (now > rr.time_signed + rr.fudge || rr.time_signed > now + rr.fudge) {
        return dnsapi_err_set(err, DNSAPI_EAUTH, "tsig", NULL,
                              "The answer was signed outside its time window.");
    }
    return DNSAPI_OK;
}
