/*
 * Tokens of the caller's account:
 *   POST   /v1/tokens       mint one: the secret is in the answer only
 *                           (never an Idempotency-Key: it would have to be
 *                           kept to be replayed)
 *   GET    /v1/tokens       list them (never their secrets)
 *   DELETE /v1/tokens/{id}  revoke one; it fails from the next request on
 *   GET    /v1/tokens/self  the caller's own token (any valid token may ask)
 * A token may only grant scopes, zones and policies its creator holds
 * (api/credential.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "api/credential.h"
#include "api/view.h"
#include "dns/dns.h"
#include "storage/store_token.h"

#define TOKEN_DEFAULT_SECONDS (90LL * 86400)
#define TOKEN_MAX_SECONDS (3650LL * 86400)

typedef struct {
    auth_token_t tok;
    api_grants_t grants;
    api_paging_t paging;
} token_state_t;

static token_state_t *token_state(api_req_t *r)
{
    token_state_t *st = calloc(1, sizeof(*st));
    if (st == NULL) {
        abort();
    }
    r->state = st;
    r->state_free = free;
    return st;
}

/* ---- POST /v1/tokens ---- */

static void on_created(void *ctx, int status, const dnsapi_err_t *err, const store_token_t *row)
{
    api_req_t *r = ctx;
    if (!api_resume_ok(r, status, err)) {
        return;
    }
    token_state_t *st = r->state;
    snprintf(st->tok.token_id, sizeof(st->tok.token_id), "%s", row->id);
    st->tok.expires_at = row->expires_epoch;
    const dnsapi_config_t *cfg = r->thread->cfg;
    char *secret = auth_token_mint(&st->tok, (int64_t)time(NULL),
                                   (const unsigned char *)cfg->jwt_secret, cfg->jwt_secret_len);
    if (secret == NULL) {
        api_failf(r, DNSAPI_EINTERNAL, NULL, NULL, "the token could not be signed");
        return;
    }
    json_t *d = json_object();
    json_object_set_new(d, "message", json_string("Token created successfully"));
    json_object_set_new(d, "token", view_token(row));
    json_object_set_new(d, "secret", json_string(secret));
    free(secret);
    api_answer(r, 201, d);
}

void handle_token_create(api_req_t *r)
{
    static const char *const allowed[] = {"name", "scopes", "zones", "policies", "expires_in",
                                          NULL};
    token_state_t *st = token_state(r);
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    const char *name = NULL;
    api_grants_t *g = &st->grants;
    if (api_body_check_fields(r->body, allowed, NULL, &err) != DNSAPI_OK ||
        api_body_string(r->body, "name", true, false, &name, &err) < 0 ||
        api_grants_read(r, TOKEN_DEFAULT_SECONDS, TOKEN_MAX_SECONDS, g, &err) != DNSAPI_OK) {
        api_fail(r, &err);
        return;
    }
    if (name != NULL && strlen(name) > 200) {
        api_failf(r, DNSAPI_EINVAL, "too_long", "name", "name must be at most 200 characters");
        return;
    }
    auth_token_t *t = &st->tok;
    snprintf(t->account_id, sizeof(t->account_id), "%s", r->token.account_id);
    t->scopes = g->scopes;
    memcpy(t->zones, g->zones, sizeof(t->zones));
    t->n_zones = g->n_zones;
    memcpy(t->policies, g->policies, sizeof(t->policies));
    t->n_policies = g->n_policies;
    char scopes[128];
    auth_scopes_format(t->scopes, scopes, sizeof(scopes));
    char *policies = api_policies_dump(t->policies, t->n_policies);
    store_token_create(r->thread->db, &r->auth, name != NULL ? name : "", scopes,
                       (const char(*)[256])t->zones, t->n_zones, policies,
                       (long long)time(NULL) + g->expires_in, on_created, api_hold(r));
    free(policies);
}

/* ---- GET /v1/tokens ---- */

static void on_list(void *ctx, int status, const dnsapi_err_t *err, const store_token_t *toks,
                    size_t n, long long total)
{
    api_req_t *r = ctx;
    if (!api_resume_ok(r, status, err)) {
        return;
    }
    token_state_t *st = r->state;
    bool has_more;
    size_t count = api_page_count(&st->paging, n, &has_more);
    json_t *arr = json_array();
    for (size_t i = 0; i < count; i++) {
        json_array_append_new(arr, view_token(&toks[i]));
    }
    json_t *d =
        view_page("tokens", arr, total, st->paging.offset, st->paging.limit, count, has_more, NULL);
    api_answer(r, 200, d);
}

void handle_token_list(api_req_t *r)
{
    token_state_t *st = token_state(r);
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    if (api_paging_parse(r, &st->paging, 0, &err) != DNSAPI_OK) {
        api_fail(r, &err);
        return;
    }
    store_token_list(r->thread->db, &r->auth, st->paging.limit + 1, st->paging.offset, on_list,
                     api_hold(r));
}

/* ---- DELETE /v1/tokens/{id} ---- */

static void on_revoked(void *ctx, int status, const dnsapi_err_t *err, const store_token_t *tok)
{
    api_req_t *r = ctx;
    (void)tok;
    if (!api_resume_ok(r, status, err)) {
        return;
    }
    json_t *d = json_object();
    json_object_set_new(d, "message", json_string("Token revoked successfully"));
    api_answer(r, 200, d);
}

void handle_token_delete(api_req_t *r)
{
    if (!api_is_uuid(r->record_id)) {
        api_failf(r, DNSAPI_ENOTFOUND, NULL, NULL, "token not found");
        return;
    }
    store_token_revoke(r->thread->db, &r->auth, r->record_id, on_revoked, api_hold(r));
}

/* ---- GET /v1/tokens/self ---- */

static void on_self(void *ctx, int status, const dnsapi_err_t *err, const store_token_t *tok)
{
    api_req_t *r = ctx;
    if (!api_resume_ok(r, status, err)) {
        return;
    }
    json_t *d = json_object();
    json_object_set_new(d, "token", view_token(tok));
    api_answer(r, 200, d);
}

void handle_token_self(api_req_t *r)
{
    store_token_get(r->thread->db, &r->auth, r->token.token_id, on_self, api_hold(r));
}
