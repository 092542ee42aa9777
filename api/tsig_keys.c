/*
 * TSIG keys of the caller's account, credentials for DNS UPDATE (RFC 2136
 * signed with RFC 8945), shaped like tokens:
 *   POST   /v1/tsig-keys       mint one: the secret is in the answer only
 *   GET    /v1/tsig-keys       list them (never their secrets)
 *   GET    /v1/tsig-keys/{id}  one
 *   DELETE /v1/tsig-keys/{id}  revoke one; it fails from the next message on
 * A key may only grant scopes, zones and policies its creator holds
 * (api/credential.h). The secret is stored sealed (common/seal.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "api/credential.h"
#include "api/view.h"
#include "storage/store_tsig.h"

#define KEY_DEFAULT_SECONDS (365LL * 86400)
#define KEY_MAX_SECONDS (3650LL * 86400)

typedef struct {
    api_grants_t grants;
    api_paging_t paging;
    char name[256];
    char algorithm[16];
    char secret[API_TSIG_B64_SIZE];
} key_state_t;

static key_state_t *key_state(api_req_t *r)
{
    key_state_t *st = calloc(1, sizeof(*st));
    if (st == NULL) {
        abort();
    }
    r->state = st;
    r->state_free = free;
    return st;
}

/* ---- POST /v1/tsig-keys ---- */

static void on_created(void *ctx, int status, const dnsapi_err_t *err, const store_tsig_t *key)
{
    api_req_t *r = ctx;
    if (!api_resume_ok(r, status, err)) {
        return;
    }
    key_state_t *st = r->state;
    char y[sizeof(st->algorithm) + sizeof(st->name) + sizeof(st->secret) + 4];
    snprintf(y, sizeof(y), "%s:%s:%s", key->algorithm, key->name, st->secret);
    json_t *d = json_object();
    json_object_set_new(d, "message", json_string("TSIG key created successfully"));
    json_object_set_new(d, "tsig_key", view_tsig_key(key));
    json_object_set_new(d, "secret", json_string(st->secret));
    json_object_set_new(d, "nsupdate_key", json_string(y));
    OPENSSL_cleanse(st->secret, sizeof(st->secret));
    OPENSSL_cleanse(y, sizeof(y));
    api_answer(r, 201, d);
}

void handle_tsig_key_create(api_req_t *r)
{
    static const char *const allowed[] = {"name",     "algorithm",  "scopes", "zones",
                                          "policies", "expires_in", NULL};
    key_state_t *st = key_state(r);
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    const char *name = NULL, *alg = NULL;
    if (api_body_check_fields(r->body, allowed, NULL, &err) != DNSAPI_OK ||
        api_body_string(r->body, "name", true, false, &name, &err) < 0 ||
        api_body_string(r->body, "algorithm", false, false, &alg, &err) < 0 ||
        api_tsig_name_normalize(name, st->name, sizeof(st->name), &err) != DNSAPI_OK ||
        api_grants_read(r, KEY_DEFAULT_SECONDS, KEY_MAX_SECONDS, &st->grants, &err) !=
            DNSAPI_OK) {
        api_fail(r, &err);
        return;
    }
    dns_tsig_alg_t a = alg != NULL ? dns_tsig_alg_from_text(alg) : DNS_TSIG_HMAC_SHA256;
    if (a == DNS_TSIG_ALG_UNKNOWN) {
        api_failf(r, DNSAPI_EINVAL, "unsupported_algorithm", "algorithm",
                  "algorithm is hmac-sha256 (the default) or hmac-sha512");
        return;
    }
    snprintf(st->algorithm, sizeof(st->algorithm), "%s", dns_tsig_alg_name(a));
    char sealed[API_TSIG_SEALED_SIZE];
    if (api_tsig_secret_new(r->thread->seal, r->token.account_id, st->name, a, sealed,
                            st->secret, &err) != DNSAPI_OK) {
        api_fail(r, &err);
        return;
    }
    char scopes[128];
    auth_scopes_format(st->grants.scopes, scopes, sizeof(scopes));
    char *policies = api_policies_dump(st->grants.policies, st->grants.n_policies);
    store_tsig_new_t k = {
        .name = st->name,
        .algorithm = st->algorithm,
        .secret_sealed = sealed,
        .scopes = scopes,
        .zones = (const char(*)[256])st->grants.zones,
        .n_zones = st->grants.n_zones,
        .policies_json = policies,
        .expires_at = (long long)time(NULL) + st->grants.expires_in,
    };
    store_tsig_create(r->thread->db, &r->auth, &k, on_created, api_hold(r));
    free(policies);
}

/* ---- GET /v1/tsig-keys ---- */

static void on_list(void *ctx, int status, const dnsapi_err_t *err, const store_tsig_t *keys,
                    size_t n, long long total)
{
    api_req_t *r = ctx;
    if (!api_resume_ok(r, status, err)) {
        return;
    }
    key_state_t *st = r->state;
    bool has_more;
    size_t count = api_page_count(&st->paging, n, &has_more);
    json_t *arr = json_array();
    for (size_t i = 0; i < count; i++) {
        json_array_append_new(arr, view_tsig_key(&keys[i]));
    }
    json_t *d = view_page("tsig_keys", arr, total, st->paging.offset, st->paging.limit, count,
                          has_more, NULL);
    api_answer(r, 200, d);
}

void handle_tsig_key_list(api_req_t *r)
{
    key_state_t *st = key_state(r);
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    if (api_paging_parse(r, &st->paging, 0, &err) != DNSAPI_OK) {
        api_fail(r, &err);
        return;
    }
    store_tsig_list(r->thread->db, &r->auth, st->paging.limit + 1, st->paging.offset, on_list,
                    api_hold(r));
}

/* ---- GET and DELETE /v1/tsig-keys/{id} ---- */

static void on_one(void *ctx, int status, const dnsapi_err_t *err, const store_tsig_t *key)
{
    api_req_t *r = ctx;
    if (!api_resume_ok(r, status, err)) {
        return;
    }
    json_t *d = json_object();
    json_object_set_new(d, "tsig_key", view_tsig_key(key));
    api_answer(r, 200, d);
}

static void on_revoked(void *ctx, int status, const dnsapi_err_t *err, const store_tsig_t *key)
{
    api_req_t *r = ctx;
    if (!api_resume_ok(r, status, err)) {
        return;
    }
    json_t *d = json_object();
    json_object_set_new(d, "message", json_string("TSIG key revoked successfully"));
    json_object_set_new(d, "tsig_key", view_tsig_key(key));
    api_answer(r, 200, d);
}

static bool id_ok(api_req_t *r)
{
    if (!api_is_uuid(r->record_id)) {
        api_failf(r, DNSAPI_ENOTFOUND, NULL, NULL, "TSIG key not found");
        return false;
    }
    return true;
}

void handle_tsig_key_get(api_req_t *r)
{
    if (id_ok(r)) {
        store_tsig_get(r->thread->db, &r->auth, r->record_id, on_one, api_hold(r));
    }
}

void handle_tsig_key_delete(api_req_t *r)
{
    if (id_ok(r)) {
        store_tsig_revoke(r->thread->db, &r->auth, r->record_id, on_revoked, api_hold(r));
    }
}
