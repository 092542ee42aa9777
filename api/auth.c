#include "api/auth.h"

#include "api/policy_json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <jwt.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

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

void auth_key_id(const unsigned char *key, size_t key_len, char *out)
{
    static const char label[] = "dnsapi jwt key id\n";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
        EVP_DigestUpdate(ctx, label, sizeof(label) - 1) != 1 ||
        EVP_DigestUpdate(ctx, key, key_len) != 1 || EVP_DigestFinal_ex(ctx, md, &mdlen) != 1) {
        abort(); /* only out of memory gets here */
    }
    EVP_MD_CTX_free(ctx);
    for (int i = 0; i < 8; i++) {
        snprintf(out + 2 * i, 3, "%02x", md[i]);
    }
}

/* base64url without padding (RFC 7515 section 2) of in into out (room for
 * 4 * ceil(n / 3) + 1 bytes); returns the length written. */
static size_t b64url(const unsigned char *in, size_t n, char *out)
{
    int len = EVP_EncodeBlock((unsigned char *)out, in, (int)n);
    while (len > 0 && out[len - 1] == '=') {
        len--;
    }
    for (int i = 0; i < len; i++) {
        out[i] = out[i] == '+' ? '-' : out[i] == '/' ? '_' : out[i];
    }
    out[len] = '\0';
    return (size_t)len;
}

/* libjwt 1.10 cannot put anything but alg and typ into a header, so a token
 * with a kid is put together here: base64url(header) "." base64url(claims)
 * "." base64url(HMAC-SHA256 of the two). jwt_decode verifies such a token
 * like any other. */
char *auth_token_mint(const auth_token_t *tok, int64_t now, const unsigned char *key,
                      size_t key_len)
{
    char scopes[256], zones[AUTH_MAX_ZONES * 257], kid[AUTH_KID_SIZE];
    if (key == NULL || key_len == 0) {
        return NULL;
    }
    auth_scopes_format(tok->scopes, scopes, sizeof(scopes));
    zones[0] = '\0';
    for (size_t i = 0, used = 0; i < tok->n_zones; i++) {
        used += (size_t)snprintf(zones + used, sizeof(zones) - used, "%s%s", i ? " " : "",
                                 tok->zones[i]);
    }
    auth_key_id(key, key_len, kid);
    json_t *header = json_pack("{s:s, s:s, s:s}", "alg", "HS256", "kid", kid, "typ", "JWT");
    json_t *claims =
        json_pack("{s:s, s:s, s:s, s:I, s:I}", "sub", tok->account_id, "jti", tok->token_id,
                  "scope", scopes, "iat", (json_int_t)now, "exp", (json_int_t)tok->expires_at);
    char *h = NULL, *c = NULL, *out = NULL;
    if (header == NULL || claims == NULL ||
        (tok->n_zones > 0 && json_object_set_new(claims, "zones", json_string(zones)) != 0) ||
        (tok->n_policies > 0 &&
         json_object_set_new(claims, "policies",
                             api_policies_json(tok->policies, tok->n_policies)) != 0)) {
        goto done;
    }
    h = json_dumps(header, JSON_COMPACT | JSON_SORT_KEYS);
    c = json_dumps(claims, JSON_COMPACT | JSON_SORT_KEYS);
    if (h == NULL || c == NULL) {
        goto done;
    }
    size_t hl = strlen(h), cl = strlen(c);
    size_t cap = 4 * ((hl + 2) / 3) + 4 * ((cl + 2) / 3) + 4 * ((SHA256_DIGEST_LENGTH + 2) / 3) + 4;
    out = malloc(cap);
    if (out == NULL) {
        goto done;
    }
    size_t len = b64url((const unsigned char *)h, hl, out);
    out[len++] = '.';
    len += b64url((const unsigned char *)c, cl, out + len);
    unsigned char mac[SHA256_DIGEST_LENGTH];
    unsigned int maclen = 0;
    if (HMAC(EVP_sha256(), key, (int)key_len, (const unsigned char *)out, len, mac, &maclen) ==
        NULL) {
        free(out);
        out = NULL;
        goto done;
    }
    out[len++] = '.';
    b64url(mac, maclen, out + len);
done:
    free(h);
    free(c);
    json_decref(header);
    json_decref(claims);
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

/* Verifies token with one key. *sig_ok tells whether the signature (and
 * the token's shape) passed, so that a ring can try its next key only when
 * this key did not sign the token. */
static int verify_one(const char *token, int64_t now, const unsigned char *key, size_t key_len,
                      auth_token_t *out, dnsapi_err_t *err, bool *sig_ok)
{
    jwt_t *jwt = NULL;
    int rc;
    *sig_ok = false;
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
    *sig_ok = true;
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
    out->issued_at = iat;
    auth_key_id(key, key_len, out->kid);
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
    char *policies = jwt_get_grants_json(jwt, "policies");
    if (policies != NULL) {
        dnsapi_err_t perr;
        int prc = api_policies_parse(policies, out->policies, &out->n_policies, &perr);
        free(policies);
        if (prc != DNSAPI_OK || out->n_policies == 0) {
            rc = INVALID("the bearer token's policies cannot be read");
            goto out;
        }
    }
    rc = DNSAPI_OK;
out:
    jwt_free(jwt);
    return rc;
}

/* The kid of a token's header, if it has one: the header is the part
 * before the first '.', base64url. Returns 1 with kid filled, 0 when the
 * header has no kid, -1 when the header cannot be read or its kid is not a
 * short string. */
static int header_kid(const char *token, char *kid, size_t cap)
{
    const char *dot = strchr(token, '.');
    size_t n = dot != NULL ? (size_t)(dot - token) : 0;
    if (n == 0 || n > 1024) {
        return -1;
    }
    char b64[1024 + 4];
    memcpy(b64, token, n);
    for (size_t i = 0; i < n; i++) {
        b64[i] = b64[i] == '-' ? '+' : b64[i] == '_' ? '/' : b64[i];
    }
    while (n % 4 != 0) {
        b64[n++] = '=';
    }
    unsigned char raw[1024];
    int len = EVP_DecodeBlock(raw, (const unsigned char *)b64, (int)n);
    if (len < 0) {
        return -1;
    }
    while (len > 0 && raw[len - 1] == '\0') {
        len--; /* EVP_DecodeBlock counts the padding as zero bytes */
    }
    json_error_t jerr;
    json_t *h = json_loadb((const char *)raw, (size_t)len, JSON_REJECT_DUPLICATES, &jerr);
    json_t *k = json_object_get(h, "kid");
    int rc = 0;
    if (h == NULL || !json_is_object(h)) {
        rc = -1;
    } else if (k != NULL) {
        rc = json_is_string(k) && json_string_length(k) < cap ? 1 : -1;
        if (rc == 1) {
            snprintf(kid, cap, "%s", json_string_value(k));
        }
    }
    json_decref(h);
    return rc;
}

void auth_keyring_init(auth_keyring_t *ring, const dnsapi_config_t *cfg)
{
    memset(ring, 0, sizeof(*ring));
    if (cfg->jwt_secret_len > 0) {
        ring->keys[0].secret = (const unsigned char *)cfg->jwt_secret;
        ring->keys[0].len = cfg->jwt_secret_len;
        auth_key_id(ring->keys[0].secret, ring->keys[0].len, ring->keys[0].kid);
        ring->n = 1;
    }
    for (size_t i = 0; i < cfg->n_jwt_previous && ring->n < 1 + DNSAPI_JWT_MAX_PREVIOUS; i++) {
        ring->keys[ring->n].secret = (const unsigned char *)cfg->jwt_previous[i].secret;
        ring->keys[ring->n].len = cfg->jwt_previous[i].len;
        auth_key_id(ring->keys[ring->n].secret, ring->keys[ring->n].len, ring->keys[ring->n].kid);
        ring->n++;
    }
}

int auth_token_verify_ring(const char *token, int64_t now, const auth_keyring_t *ring,
                           auth_token_t *out, dnsapi_err_t *err)
{
    memset(out, 0, sizeof(*out));
    if (ring == NULL || ring->n == 0) {
        return INVALID("the server has no token key configured");
    }
    if (token == NULL || strlen(token) > 8192) {
        return INVALID("the bearer token is malformed");
    }
    char kid[AUTH_KID_SIZE + 8];
    int has = header_kid(token, kid, sizeof(kid));
    if (has < 0) {
        return INVALID("the bearer token is malformed");
    }
    bool sig_ok = false;
    if (has == 1) {
        for (size_t i = 0; i < ring->n; i++) {
            if (strcmp(ring->keys[i].kid, kid) == 0) {
                return verify_one(token, now, ring->keys[i].secret, ring->keys[i].len, out, err,
                                  &sig_ok);
            }
        }
        return INVALID("the bearer token was signed with a key this server no longer accepts "
                       "(kid %s); mint a new one",
                       kid);
    }
    /* No kid: minted before key ids. The signing key first, then the
     * previous ones; the first key whose signature matches decides. */
    int rc = verify_one(token, now, ring->keys[0].secret, ring->keys[0].len, out, err, &sig_ok);
    for (size_t i = 1; i < ring->n && !sig_ok; i++) {
        dnsapi_err_t again;
        rc = verify_one(token, now, ring->keys[i].secret, ring->keys[i].len, out, &again, &sig_ok);
        if (sig_ok && err != NULL) {
            *err = again;
        }
    }
    return rc;
}

/* Set once by auth_keyring_install before the loops start; read only. */
static const auth_keyring_t *installed_ring;

void auth_keyring_install(const auth_keyring_t *ring)
{
    installed_ring = ring;
}

int auth_token_verify(const char *token, int64_t now, const unsigned char *key, size_t key_len,
                      auth_token_t *out, dnsapi_err_t *err)
{
    const auth_keyring_t *ring = installed_ring;
    if (ring != NULL && ring->n > 0 && key != NULL && key_len == ring->keys[0].len &&
        memcmp(key, ring->keys[0].secret, key_len) == 0) {
        return auth_token_verify_ring(token, now, ring, out, err);
    }
    bool sig_ok;
    return verify_one(token, now, key, key_len, out, err, &sig_ok);
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
