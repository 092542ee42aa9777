/* Credentials' grants and policies in JSON (see credential.h). */
#include "api/credential.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "dns/dns.h"

/* ---- grants --------------------------------------------------------------- */

static int scopes_read(api_req_t *r, api_grants_t *g, dnsapi_err_t *err)
{
    json_t *scopes = json_object_get(r->body, "scopes");
    if (scopes == NULL) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "missing_field", "scopes",
                              "scopes is required, e.g. [\"records:read\", \"records:write\"]");
    }
    if (!json_is_array(scopes) || json_array_size(scopes) == 0) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "wrong_type", "scopes",
                              "scopes must be a non-empty array of scope names");
    }
    size_t i;
    json_t *v;
    json_array_foreach(scopes, i, v)
    {
        unsigned bit = 0;
        if (!json_is_string(v)) {
            return dnsapi_err_set(err, DNSAPI_EINVAL, "wrong_type", "scopes",
                                  "scopes must be strings");
        }
        if (auth_scopes_parse(json_string_value(v), &bit, err) != DNSAPI_OK || bit == 0) {
            return err->status != DNSAPI_OK ? err->status : DNSAPI_EINVAL;
        }
        g->scopes |= bit;
    }
    if ((g->scopes & ~r->token.scopes) != 0) {
        return dnsapi_err_set(err, DNSAPI_EFORBIDDEN, NULL, NULL,
                              "a credential may only grant scopes its creator holds");
    }
    return DNSAPI_OK;
}

static int zones_read(api_req_t *r, api_grants_t *g, dnsapi_err_t *err)
{
    json_t *zones = json_object_get(r->body, "zones");
    if (zones == NULL || json_is_null(zones)) {
        if (r->token.n_zones > 0) {
            return dnsapi_err_set(err, DNSAPI_EFORBIDDEN, NULL, NULL,
                                  "this token is limited to some zones: list the zones the new "
                                  "credential may touch");
        }
        return DNSAPI_OK;
    }
    if (!json_is_array(zones) || json_array_size(zones) == 0 ||
        json_array_size(zones) > AUTH_MAX_ZONES) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "wrong_type", "zones",
                              "zones must be null or an array of 1 to %d zone names",
                              AUTH_MAX_ZONES);
    }
    size_t i;
    json_t *v;
    json_array_foreach(zones, i, v)
    {
        char *z = g->zones[g->n_zones];
        if (!json_is_string(v)) {
            return dnsapi_err_set(err, DNSAPI_EINVAL, "wrong_type", "zones",
                                  "zones must be strings");
        }
        if (dns_zone_name_normalize(json_string_value(v), z, sizeof(g->zones[0]), err) !=
            DNSAPI_OK) {
            snprintf(err->field, sizeof(err->field), "zones");
            return err->status;
        }
        if (!auth_token_allows_zone(&r->token, z)) {
            return dnsapi_err_set(err, DNSAPI_EFORBIDDEN, NULL, NULL,
                                  "a credential may only grant zones its creator may touch");
        }
        g->n_zones++;
    }
    return DNSAPI_OK;
}

static int policies_read(api_req_t *r, api_grants_t *g, dnsapi_err_t *err)
{
    int rc =
        api_policies_read(json_object_get(r->body, "policies"), g->policies, &g->n_policies, err);
    if (rc != DNSAPI_OK || r->token.n_policies == 0) {
        return rc;
    }
    if (g->n_policies == 0) {
        return dnsapi_err_set(err, DNSAPI_EFORBIDDEN, NULL, NULL,
                              "this token is limited by policies: give the new credential "
                              "policies within them");
    }
    for (size_t i = 0; i < g->n_policies; i++) {
        if (!dns_policy_covers(r->token.policies, r->token.n_policies, &g->policies[i])) {
            return dnsapi_err_set(err, DNSAPI_EFORBIDDEN, NULL, NULL,
                                  "policies[%zu] grants more than this token's own policies "
                                  "allow",
                                  i);
        }
    }
    return DNSAPI_OK;
}

int api_grants_read(api_req_t *r, long long default_seconds, long long max_seconds, api_grants_t *g,
                    dnsapi_err_t *err)
{
    memset(g, 0, sizeof(*g));
    g->expires_in = default_seconds;
    if (api_body_int(r->body, "expires_in", false, API_CREDENTIAL_MIN_SECONDS, max_seconds,
                     &g->expires_in, err) < 0) {
        return err->status;
    }
    int rc = scopes_read(r, g, err);
    rc = rc == DNSAPI_OK ? zones_read(r, g, err) : rc;
    return rc == DNSAPI_OK ? policies_read(r, g, err) : rc;
}

/* ---- TSIG secrets --------------------------------------------------------- */

void api_tsig_aad(const char *account_id, const char *name, char *out, size_t outlen)
{
    snprintf(out, outlen, "tsig_keys:%s:%s", account_id, name);
}

int api_tsig_secret_new(const seal_key_t *k, const char *account_id, const char *name,
                        dns_tsig_alg_t alg, char sealed[API_TSIG_SEALED_SIZE],
                        char b64[API_TSIG_B64_SIZE], dnsapi_err_t *err)
{
    uint8_t secret[DNS_TSIG_SECRET_MAX];
    size_t len = 0;
    char aad[400];
    if (dns_tsig_secret_generate(alg, secret, &len) != DNSAPI_OK) {
        return dnsapi_err_set(err, DNSAPI_EINTERNAL, NULL, NULL,
                              "the random source gave no secret");
    }
    api_tsig_aad(account_id, name, aad, sizeof(aad));
    int rc = seal_encrypt(k, secret, len, aad, sealed, API_TSIG_SEALED_SIZE, err);
    if (rc == DNSAPI_OK && base64_encode(secret, len, b64, API_TSIG_B64_SIZE) == 0) {
        rc = dnsapi_err_set(err, DNSAPI_EINTERNAL, NULL, NULL, "the secret could not be encoded");
    }
    OPENSSL_cleanse(secret, sizeof(secret));
    return rc;
}

int api_tsig_alg_read(const char *text, dns_tsig_alg_t *out, dnsapi_err_t *err)
{
    *out = text != NULL ? dns_tsig_alg_from_text(text) : DNS_TSIG_HMAC_SHA256;
    if (*out == DNS_TSIG_ALG_UNKNOWN) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "unsupported_algorithm", "algorithm",
                              "algorithm is hmac-sha256 (the default) or hmac-sha512");
    }
    return DNSAPI_OK;
}

int api_tsig_name_normalize(const char *in, char *out, size_t outlen, dnsapi_err_t *err)
{
    if (in == NULL || dns_zone_name_normalize(in, out, outlen, err) != DNSAPI_OK ||
        strcmp(out, ".") == 0) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_key_name", "name",
                              "A TSIG key name is a domain name such as acme-client.example.com, "
                              "unique across accounts.");
    }
    for (const char *p = out; *p != '\0'; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
              c == '.')) {
            return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_key_name", "name",
                                  "A TSIG key name has labels of letters, digits, '-' and '_' "
                                  "only, e.g. acme-client.example.com.");
        }
    }
    if (strlen(out) > 254) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_key_name", "name",
                              "A TSIG key name is at most 254 characters.");
    }
    return DNSAPI_OK;
}
