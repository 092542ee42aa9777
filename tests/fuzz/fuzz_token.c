/*
 * fuzz_token.c - bearer tokens (auth_token_verify in api/auth.c).
 *
 * The first byte chooses how the rest is used:
 *  0 garbage: the rest is the token text. It is never signed with the key,
 *    so it must be refused.
 *  1 signed: 8 bytes of "now" (any int64), one byte choosing HMAC-SHA256,
 *    -384 or -512, then "HEADER\nPAYLOAD": the harness base64url-encodes
 *    both as given and signs them with the server key, as an attacker who
 *    holds a leaked key or a confused signer could.
 *  2 minted: 8 bytes of "now", 8 of expires_at, 1 of scope bits, then
 *    space-separated zone names: auth_token_mint, then verify.
 * Invariants:
 *  - a refusal is DNSAPI_EAUTH, code invalid_token, with a message;
 *  - an accepted token was signed with HS256 by the key, is refused under
 *    another key and with its signature cut short, has UUIDs for account and
 *    token id, known scopes, at most AUTH_MAX_ZONES non-empty zone names
 *    without spaces, an expiry not before now - leeway, and minting its
 *    fields again gives a token that verifies to the same fields;
 *  - a token minted from valid fields verifies to those fields.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "api/auth.h"
#include "support.h"

static const unsigned char KEY[] = "the fuzzing key, 32 bytes or more";
#define KEY_LEN (sizeof(KEY) - 1)
static const unsigned char OTHER_KEY[] = "another fuzzing key, as long as it";
#define OTHER_KEY_LEN (sizeof(OTHER_KEY) - 1)
#define NOW_DEFAULT ((int64_t)1800000000)

static int64_t read_i64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) {
        v = (v << 8) | p[i];
    }
    return (int64_t)v;
}

static void b64url_append(char *out, size_t *o, const uint8_t *in, size_t len)
{
    static const char A[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < len; i++) {
        acc = (acc << 8) | in[i];
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out[(*o)++] = A[(acc >> bits) & 63];
        }
    }
    if (bits > 0) {
        out[(*o)++] = A[(acc << (6 - bits)) & 63];
    }
    out[*o] = '\0';
}

/* "b64(header).b64(payload).b64(hmac)", malloc'd. */
static char *sign(const char *header, const char *payload, const EVP_MD *md)
{
    size_t hl = strlen(header), pl = strlen(payload);
    char *t = malloc((hl + pl + 64) * 2 + 8);
    FUZZ_CHECK(t != NULL, "out of memory");
    size_t o = 0;
    b64url_append(t, &o, (const uint8_t *)header, hl);
    t[o++] = '.';
    b64url_append(t, &o, (const uint8_t *)payload, pl);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int maclen = 0;
    FUZZ_CHECK(HMAC(md, KEY, (int)KEY_LEN, (const unsigned char *)t, o, mac, &maclen) != NULL,
               "HMAC");
    t[o++] = '.';
    b64url_append(t, &o, mac, maclen);
    return t;
}

static void check_refused(int rc, const dnsapi_err_t *err, const char *token)
{
    FUZZ_CHECK(rc == DNSAPI_EAUTH, "'%s': status %d", token, rc);
    FUZZ_CHECK(strcmp(err->code, "invalid_token") == 0 && err->message[0] != '\0',
               "'%s': code '%s' message '%s'", token, err->code, err->message);
}

static bool is_uuid(const char *s)
{
    if (strlen(s) != 36) {
        return false;
    }
    for (int i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash != (s[i] == '-') || (!dash && strchr("0123456789abcdefABCDEF", s[i]) == NULL)) {
            return false;
        }
    }
    return true;
}

static bool same_token(const auth_token_t *a, const auth_token_t *b)
{
    if (strcmp(a->account_id, b->account_id) != 0 || strcmp(a->token_id, b->token_id) != 0 ||
        a->scopes != b->scopes || a->n_zones != b->n_zones || a->expires_at != b->expires_at) {
        return false;
    }
    for (size_t i = 0; i < a->n_zones; i++) {
        if (strcmp(a->zones[i], b->zones[i]) != 0) {
            return false;
        }
    }
    return true;
}

/* What every accepted token must be. */
static void check_accepted(const char *token, int64_t now, const auth_token_t *tok)
{
    FUZZ_CHECK(is_uuid(tok->account_id) && is_uuid(tok->token_id), "'%s': ids '%s' '%s'", token,
               tok->account_id, tok->token_id);
    FUZZ_CHECK((tok->scopes & ~(unsigned)AUTH_SCOPE_ALL) == 0, "'%s': scopes %#x", token,
               tok->scopes);
    FUZZ_CHECK(tok->n_zones <= AUTH_MAX_ZONES, "'%s': %zu zones", token, tok->n_zones);
    for (size_t i = 0; i < tok->n_zones; i++) {
        FUZZ_CHECK(tok->zones[i][0] != '\0' && strchr(tok->zones[i], ' ') == NULL,
                   "'%s': zone #%zu '%s'", token, i, tok->zones[i]);
    }
    /* expires_at >= now - leeway, without overflowing either side */
    FUZZ_CHECK(tok->expires_at >= now || (uint64_t)now - (uint64_t)tok->expires_at <= 60,
               "'%s': expired %lld at %lld accepted", token, (long long)tok->expires_at,
               (long long)now);

    auth_token_t other;
    dnsapi_err_t err;
    int rc = auth_token_verify(token, now, OTHER_KEY, OTHER_KEY_LEN, &other, &err);
    FUZZ_CHECK(rc == DNSAPI_EAUTH, "'%s' verifies under another key", token);
    char *cut = strdup(token);
    FUZZ_CHECK(cut != NULL, "out of memory");
    cut[strlen(cut) - 1] = '\0';
    rc = auth_token_verify(cut, now, KEY, KEY_LEN, &other, &err);
    FUZZ_CHECK(rc == DNSAPI_EAUTH, "'%s' verifies with its signature cut short", token);
    free(cut);

    char *again = auth_token_mint(tok, now, KEY, KEY_LEN);
    FUZZ_CHECK(again != NULL, "'%s': its fields cannot be minted again", token);
    rc = auth_token_verify(again, now, KEY, KEY_LEN, &other, &err);
    FUZZ_CHECK(rc == DNSAPI_OK && same_token(tok, &other), "'%s' minted again as '%s': rc %d %s",
               token, again, rc, err.message);
    free(again);
}

static void verify_one(const char *token, int64_t now, bool may_accept)
{
    auth_token_t tok;
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    int rc = auth_token_verify(token, now, KEY, KEY_LEN, &tok, &err);
    if (rc != DNSAPI_OK) {
        check_refused(rc, &err, token);
        return;
    }
    FUZZ_CHECK(may_accept, "'%s' accepted, but it was not signed with HS256 and the key", token);
    check_accepted(token, now, &tok);
}

static void fuzz_signed(const uint8_t *data, size_t size)
{
    if (size < 9) {
        return;
    }
    int64_t now = read_i64(data);
    const EVP_MD *mds[] = {EVP_sha256(), EVP_sha384(), EVP_sha512()};
    size_t which = data[8] % 3;
    fuzz_fields_t f;
    fuzz_fields_split(&f, data + 9, size - 9, '\n', 2);
    char *token = sign(f.field[0], f.field[1], mds[which]);
    verify_one(token, now, which == 0);
    free(token);
    fuzz_fields_clear(&f);
}

static void fuzz_minted(const uint8_t *data, size_t size)
{
    if (size < 17) {
        return;
    }
    auth_token_t tok = {0}, out;
    int64_t now = read_i64(data);
    tok.expires_at = read_i64(data + 8);
    tok.scopes = data[16] & AUTH_SCOPE_ALL;
    snprintf(tok.account_id, sizeof(tok.account_id), "0b6c4f7e-2f55-4a51-9d43-6a3c8e1f2a10");
    snprintf(tok.token_id, sizeof(tok.token_id), "7d0e8a9b-1c2d-4e3f-8a5b-6c7d8e9f0a1b");
    fuzz_fields_t f;
    fuzz_fields_split(&f, data + 17, size - 17, ' ', FUZZ_MAX_FIELDS);
    bool valid = tok.scopes != 0;
    for (size_t i = 0; i < f.n && f.field[0][0] != '\0'; i++) {
        size_t len = strlen(f.field[i]);
        valid = valid && len > 0 && len < sizeof(tok.zones[0]) && strchr(f.field[i], ' ') == NULL;
        snprintf(tok.zones[tok.n_zones++], sizeof(tok.zones[0]), "%s", f.field[i]);
    }
    char *token = auth_token_mint(&tok, now, KEY, KEY_LEN);
    if (token != NULL) {
        dnsapi_err_t err;
        dnsapi_err_clear(&err);
        int rc = auth_token_verify(token, now, KEY, KEY_LEN, &out, &err);
        bool live = tok.expires_at >= now || (uint64_t)now - (uint64_t)tok.expires_at <= 60;
        if (rc == DNSAPI_OK) {
            check_accepted(token, now, &out);
        } else {
            check_refused(rc, &err, token);
        }
        if (valid && live) {
            FUZZ_CHECK(rc == DNSAPI_OK && same_token(&tok, &out), "minted '%s' refused: %s", token,
                       err.message);
        }
        free(token);
    }
    fuzz_fields_clear(&f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) {
        return 0;
    }
    switch (data[0] % 3) {
    case 0: {
        fuzz_fields_t f;
        fuzz_fields_split(&f, data + 1, size - 1, '\0', 1);
        verify_one(f.field[0], NOW_DEFAULT, false);
        fuzz_fields_clear(&f);
        break;
    }
    case 1:
        fuzz_signed(data + 1, size - 1);
        break;
    default:
        fuzz_minted(data + 1, size - 1);
        break;
    }
    return 0;
}
