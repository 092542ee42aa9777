/*
 * auth.h - bearer tokens: HS256 JWTs minted and verified by this server.
 *
 * libjwt 1.10 checks nothing beyond the signature (and not even that with a
 * NULL key), so auth_token_verify does every check itself: the algorithm is
 * pinned to HS256, the key is never empty, exp is an integer in the future
 * (60 s leeway), nbf and iat are not in the future, sub (the account id) and
 * jti (the token id) are strings.
 *
 * Claims: sub = account id (uuid), jti = token id (uuid), scope = space
 * separated scopes, zones = space separated absolute zone names (absent: all
 * zones of the account), policies = the token's policies (dns/policy.h, as
 * api/credential.h writes them; absent: none), iat, exp. The header carries kid, the key id of
 * the secret that signed the token (auth_key_id).
 *
 * Key rotation: DNSAPI_JWT_SECRET signs new tokens; the secrets in
 * DNSAPI_JWT_PREVIOUS_SECRETS still verify the tokens they signed. A key
 * ring (auth_keyring_t) holds both; a token's kid picks its key, and a token
 * without kid (minted before key ids existed) is tried against each key.
 * docs/operations.md has the procedure.
 */
#ifndef DNSAPI_API_AUTH_H
#define DNSAPI_API_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/config.h"
#include "common/error.h"
#include "dns/policy.h"

#define AUTH_LEEWAY_SECONDS 60
#define AUTH_MAX_ZONES 64

enum {
    AUTH_SCOPE_ZONES_READ = 1 << 0,
    AUTH_SCOPE_ZONES_WRITE = 1 << 1,
    AUTH_SCOPE_RECORDS_READ = 1 << 2,
    AUTH_SCOPE_RECORDS_WRITE = 1 << 3,
    AUTH_SCOPE_TOKENS_WRITE = 1 << 4,
    AUTH_SCOPE_ALL = (1 << 5) - 1,
};

/* What a verified token says. */
typedef struct {
    char account_id[40];
    char token_id[40];
    unsigned scopes; /* AUTH_SCOPE_* bits */
    char zones[AUTH_MAX_ZONES][256];
    size_t n_zones; /* 0: every zone of the account */
    dns_policy_t policies[DNS_POLICY_MAX];
    size_t n_policies; /* 0: none */
    int64_t expires_at;
    int64_t issued_at; /* iat, 0 when the token has none */
    char kid[20];      /* key id of the key that verified it */
} auth_token_t;

/* A key id: 16 hex digits from a SHA-256 of the secret. It names a secret
 * without revealing it, and is the same wherever the secret is the same. */
#define AUTH_KID_SIZE 17

/* Writes the key id of key (AUTH_KID_SIZE bytes with the NUL) into out. */
void auth_key_id(const unsigned char *key, size_t key_len, char *out);

/* The keys a server verifies with; keys[0] signs. The secrets are borrowed
 * (from the configuration), not copied. */
typedef struct {
    struct {
        const unsigned char *secret;
        size_t len;
        char kid[AUTH_KID_SIZE];
    } keys[1 + DNSAPI_JWT_MAX_PREVIOUS];
    size_t n;
} auth_keyring_t;

/* Fills ring from cfg: DNSAPI_JWT_SECRET, then DNSAPI_JWT_PREVIOUS_SECRETS
 * in order. ring borrows cfg's strings: cfg must outlive it. */
void auth_keyring_init(auth_keyring_t *ring, const dnsapi_config_t *cfg);

/* Verifies token with the ring at time now and fills out (out->kid says
 * which key). A token with a kid is checked against that key only; one
 * without is tried against each key. Returns 0, or DNSAPI_EAUTH with
 * err->code "invalid_token" (an unknown kid says so). */
int auth_token_verify_ring(const char *token, int64_t now, const auth_keyring_t *ring,
                           auth_token_t *out, dnsapi_err_t *err);

/* Makes ring the one auth_token_verify uses when it is called with ring's
 * signing key (see there). ring must stay valid until the process exits or
 * auth_keyring_install(NULL). Call before threads start verifying. */
void auth_keyring_install(const auth_keyring_t *ring);

/* Parses a space-separated scope list ("records:read records:write") into
 * AUTH_SCOPE_* bits. Returns 0, or DNSAPI_EINVAL naming the unknown scope in
 * err (code "bad_scope", field "scopes"). */
int auth_scopes_parse(const char *text, unsigned *out, dnsapi_err_t *err);

/* Writes the space-separated names of scopes into out. */
void auth_scopes_format(unsigned scopes, char *out, size_t outlen);

/* Mints an HS256 token for tok (account_id, token_id, scopes, zones,
 * expires_at) issued at now, with the kid of key in its header. Returns a
 * malloc'd string (free) or NULL. */
char *auth_token_mint(const auth_token_t *tok, int64_t now, const unsigned char *key,
                      size_t key_len);

/* Verifies token (NUL-terminated) with key at time now and fills out.
 * Returns 0, or DNSAPI_EAUTH with err->code "invalid_token" and a message
 * saying what is wrong (bad signature, expired, wrong algorithm, ...).
 *
 * When a ring is installed (auth_keyring_install: `dnsapi serve` does it)
 * and key is that ring's signing key, this is auth_token_verify_ring with
 * the installed ring, so that a caller holding only DNSAPI_JWT_SECRET
 * accepts tokens of the previous secrets too. New callers should use
 * auth_token_verify_ring. */
int auth_token_verify(const char *token, int64_t now, const unsigned char *key, size_t key_len,
                      auth_token_t *out, dnsapi_err_t *err);

/* True when tok may touch zone (an absolute name). */
bool auth_token_allows_zone(const auth_token_t *tok, const char *zone);

#endif
