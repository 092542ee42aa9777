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
 * zones of the account), iat, exp.
 */
#ifndef DNSAPI_API_AUTH_H
#define DNSAPI_API_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

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
    int64_t expires_at;
} auth_token_t;

/* Parses a space-separated scope list ("records:read records:write") into
 * AUTH_SCOPE_* bits. Returns 0, or DNSAPI_EINVAL naming the unknown scope in
 * err (code "bad_scope", field "scopes"). */
int auth_scopes_parse(const char *text, unsigned *out, dnsapi_err_t *err);

/* Writes the space-separated names of scopes into out. */
void auth_scopes_format(unsigned scopes, char *out, size_t outlen);

/* Mints an HS256 token for tok (account_id, token_id, scopes, zones,
 * expires_at) issued at now. Returns a malloc'd string (free) or NULL. */
char *auth_token_mint(const auth_token_t *tok, int64_t now, const unsigned char *key,
                      size_t key_len);

/* Verifies token (NUL-terminated) with key at time now and fills out.
 * Returns 0, or DNSAPI_EAUTH with err->code "invalid_token" and a message
 * saying what is wrong (bad signature, expired, wrong algorithm, ...). */
int auth_token_verify(const char *token, int64_t now, const unsigned char *key, size_t key_len,
                      auth_token_t *out, dnsapi_err_t *err);

/* True when tok may touch zone (an absolute name). */
bool auth_token_allows_zone(const auth_token_t *tok, const char *zone);

#endif
