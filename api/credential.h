/*
 * credential.h - what bearer tokens and TSIG keys share as credentials:
 * scopes, an optional zone list, optional policies (dns/policy.h) and an
 * expiry, read from a request body and bounded by the credential that asks
 * (a credential may only grant what it holds itself). Policies in JSON:
 * api/policy_json.h.
 */
#ifndef DNSAPI_API_CREDENTIAL_H
#define DNSAPI_API_CREDENTIAL_H

#include <jansson.h>

#include "api/api.h"
#include "api/policy_json.h"
#include "common/base64.h"
#include "common/seal.h"
#include "dns/tsig.h"

/* The grants of a new credential. */
typedef struct {
    unsigned scopes;
    char zones[AUTH_MAX_ZONES][256];
    size_t n_zones; /* 0: every zone of the account */
    dns_policy_t policies[DNS_POLICY_MAX];
    size_t n_policies; /* 0: none */
    long long expires_in;
} api_grants_t;

/* Reads "scopes" (required), "zones", "policies" and "expires_in" of
 * r->body into g, each bounded by r's own token: scopes it holds, zones it
 * may touch (a zone-limited token must list zones), and - when it has
 * policies - policies each covered by one of its own (dns_policy_covers).
 * expires_in defaults to default_seconds and lies in [60, max_seconds].
 * DNSAPI_EINVAL (422) or DNSAPI_EFORBIDDEN (403 insufficient_scope). */
int api_grants_read(api_req_t *r, long long default_seconds, long long max_seconds,
                    api_grants_t *g, dnsapi_err_t *err);

/* ---- TSIG secrets --------------------------------------------------------- */

/* The associated data a TSIG key's sealed secret is bound to (its row):
 * "tsig_keys:<account id>:<key name>". */
void api_tsig_aad(const char *account_id, const char *name, char *out, size_t outlen);

/* A fresh secret for a key of alg named name in account_id: sealed into
 * sealed (for the tsig_keys row) and in base64 into b64 (shown once).
 * DNSAPI_EINTERNAL when the random source or the cipher fails. */
#define API_TSIG_B64_SIZE BASE64_ENCODED_SIZE(DNS_TSIG_MAC_MAX)
#define API_TSIG_SEALED_SIZE SEAL_TEXT_SIZE(DNS_TSIG_MAC_MAX)
int api_tsig_secret_new(const seal_key_t *k, const char *account_id, const char *name,
                        dns_tsig_alg_t alg, char sealed[API_TSIG_SEALED_SIZE],
                        char b64[API_TSIG_B64_SIZE], dnsapi_err_t *err);

/* A key name as stored: a normalized absolute name whose labels are
 * letters, digits, '-' and '_' (what nsupdate, knsupdate and certbot
 * accept everywhere). DNSAPI_EINVAL bad_key_name (field "name"). */
int api_tsig_name_normalize(const char *in, char *out, size_t outlen, dnsapi_err_t *err);

#endif
