#include "api/auth.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <jwt.h>

static const struct {
    const char *name;
    unsigned bit;
} scope_names[] = {
    {"zones:read", AUTH_SCOPE_ZONES_READ},     {"zones:write", AUTH_SCOPE_ZONES_WRITE},
    {"records:read", AUTH_SCOPE_RECORDS_READ}, {"records:write", AUTH_SCOPE_RECORDS_WRITE},
    {"tokens:write", AUTH_SCOPE_TOKENS_WRITE},
};

#define N_SCOPES (sizeof(scope_names) / sizeof(scope_names[0]))

int auth_scopes_parse(const char *text, unsigned *out, dnsapi_err_t *err)
{
    unsigned bits = 0;
    const char *p = text;
    while (*p != '\0') {
        while (*p == ' ' || *p == ',') {
            p++;
        }
        size_t len = strcspn(p, " ,");
        if (len == 0) {
            break;
        }
        size_t i;
        for (i = 0; i < N_SCOPES; i++) {
            if (strlen(scope_names[i].name) == len && memcmp(scope_names[i].name, p, len) == 0) {
                bits |= scope_names[i].bit;
                break;
            }
        }
        if (i == N_SCOPES) {
            return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_scope", "scopes",
                                  "unknown scope '%.*s'; scopes are zones:read zones:write "
                                  "records:read records:write tokens:write",
                                  (int)(len > 64 ? 64 : len), p);
        }
        p += len;
    }
    *out = bits;
    return DNSAPI_OK;
}

void auth_scopes_format(unsigned scopes, char *out, size_t outlen)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < N_SCOPES; i++) {
        if ((scopes & scope_names[i].bit) && used < outlen) {
            int n =
                snprintf(out + used, outlen - used, "%s%s", used ? " " : "", scope_names[i].name);
            if (n > 0) {
                used += (size_t)n;
            }
        }
    }
}

char *auth_token_mint(const auth_token_t *tok, int64_t now, const unsigned char *key,
                      size_t key_len)
{
    jwt_t *jwt = NULL;
    char *out = NULL;
    char scopes[256], zones[AUTH_MAX_ZONES * 257];
    if (key == NULL || key_len == 0 || jwt_new(&jwt) != 0) {
        return NULL;
    }
    auth_scopes_format(tok->scopes, scopes, sizeof(scopes));
    zones[0] = '\0';
    for (size_t i = 0, used = 0; i < tok->n_zones; i++) {
        used += (size_t)snprintf(zones + used, sizeof(zones) - used, "%s%s", i ? " " : "",
                                 tok->zones[i]);
    }
    if (jwt_add_grant(jwt, "sub", tok->account_id) != 0 ||
        jwt_add_grant(jwt, "jti", tok->token_id) != 0 || jwt_add_grant(jwt, "scope", scopes) != 0 ||
        (tok->n_zones > 0 && jwt_add_grant(jwt, "zones", zones) != 0) ||
        jwt_add_grant_int(jwt, "iat", (long)now) != 0 ||
        jwt_add_grant_int(jwt, "exp", (long)tok->expires_at) != 0 ||
        jwt_set_alg(jwt, JWT_ALG_HS256, key, (int)key_len) != 0) {
        goto out;
    }
    out = jwt_encode_str(jwt);
out:
    jwt_free(jwt);
    return out;
}

/* Reads an integer claim strictly: libjwt reads a non-integer as 0 without
 * an error, so look at the claim's JSON instead. Returns 1 and sets *out when
 * present and an integer, 0 when absent, -1 when present but not an integer. */
static int claim_int(jwt_t *jwt, const char *name, int64_t *out)
{
    char *js = jwt_get_grants_json(jwt, name);
    if (js == NULL) {
        return 0;
    }
    json_error_t jerr;
    json_t *v = json_loads(js, JSON_DECODE_ANY, &jerr);
    free(js);
    int rc = -1;
    if (v != NULL && json_is_integer(v)) {
        *out = json_integer_value(v);
        rc = 1;
    }
    json_decref(v);
    return rc;
}

static bool is_uuid(const char *s)
{
    if (s == NULL || strlen(s) != 36) {
        return false;
    }
    for (int i = 0; i < 36; i++) {
        char c = s[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-') {
                return false;
            }
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
            return false;
        }
    }
    return true;
}

/* True when a is more than AUTH_LEEWAY_SECONDS before b. The claims are any
 * signed 64-bit integers the token carries, so the difference is taken in
 * unsigned arithmetic (exact when a < b) instead of adding the leeway. */
static bool before_leeway(int64_t a, int64_t b)
{
    return a < b && (uint64_t)b - (uint64_t)a > AUTH_LEEWAY_SECONDS;
}

#define INVALID(...) dnsapi_err_set(err, DNSAPI_EAUTH, "invalid_token", NULL, __VA_ARGS__)

int auth_token_verify(const char *token, int64_t now, const unsigned char *key, size_t key_len,
                      auth_token_t *out, dnsapi_err_t *err)
{
    jwt_t *jwt = NULL;
    int rc;
    memset(out, 0, sizeof(*out));
    if (key == NULL || key_len == 0) {
        return INVALID("the server has no token key configured");
    }
    if (token == NULL || strlen(token) > 8192) {
        return INVALID("the bearer token is malformed");
    }
    /* Refuse anything but HS256 before libjwt decides how to read it. */
    if (jwt_decode(&jwt, token, key, (int)key_len) != 0 || jwt == NULL) {
        rc = INVALID("the bearer token is malformed or its signature does not match");
        goto out;
    }
    if (jwt_get_alg(jwt) != JWT_ALG_HS256) {
        rc = INVALID("the bearer token is not signed with HS256");
        goto out;
    }
    int64_t exp = 0, iat = 0, nbf = 0;
    int has = claim_int(jwt, "exp", &exp);
    if (has != 1) {
        rc = INVALID("the bearer token has no valid expiry (exp)");
        goto out;
    }
    if (before_leeway(exp, now)) {
        rc = INVALID("the bearer token has expired; mint a new one");
        goto out;
    }
    has = claim_int(jwt, "nbf", &nbf);
    if (has < 0 || (has == 1 && before_leeway(now, nbf))) {
        rc = INVALID("the bearer token is not valid yet (nbf)");
        goto out;
    }
    has = claim_int(jwt, "iat", &iat);
    if (has < 0 || (has == 1 && before_leeway(now, iat))) {
        rc = INVALID("the bearer token was issued in the future (iat)");
        goto out;
    }
    const char *sub = jwt_get_grant(jwt, "sub");
    const char *jti = jwt_get_grant(jwt, "jti");
    const char *scope = jwt_get_grant(jwt, "scope");
    if (!is_uuid(sub) || !is_uuid(jti) || scope == NULL) {
        rc = INVALID("the bearer token lacks its account, id or scopes");
        goto out;
    }
    if (auth_scopes_parse(scope, &out->scopes, NULL) != DNSAPI_OK) {
        rc = INVALID("the bearer token names an unknown scope");
        goto out;
    }
    snprintf(out->account_id, sizeof(out->account_id), "%s", sub);
    snprintf(out->token_id, sizeof(out->token_id), "%s", jti);
    out->expires_at = exp;
    const char *zones = jwt_get_grant(jwt, "zones");
    if (zones != NULL) {
        const char *p = zones;
        while (*p != '\0') {
            while (*p == ' ') {
                p++;
            }
            size_t len = strcspn(p, " ");
            if (len == 0) {
                break;
            }
            if (out->n_zones == AUTH_MAX_ZONES || len >= sizeof(out->zones[0])) {
                rc = INVALID("the bearer token names too many zones");
                goto out;
            }
            memcpy(out->zones[out->n_zones], p, len);
            out->zones[out->n_zones][len] = '\0';
            out->n_zones++;
            p += len;
        }
        if (out->n_zones == 0) {
            rc = INVALID("the bearer token has an empty zone list");
            goto out;
        }
    }
    rc = DNSAPI_OK;
out:
    jwt_free(jwt);
    return rc;
}

bool auth_token_allows_zone(const auth_token_t *tok, const char *zone)
{
    if (tok->n_zones == 0) {
        return true;
    }
    for (size_t i = 0; i < tok->n_zones; i++) {
        if (strcmp(tok->zones[i], zone) == 0) {
            return true;
        }
    }
    return false;
}
