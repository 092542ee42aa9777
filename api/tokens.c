/*
 * Tokens of the caller's account:
 *   POST   /v1/tokens       mint one: the secret is in the answer only
 *                           (never an Idempotency-Key: it would have to be
 *                           kept to be replayed)
 *   GET    /v1/tokens       list them (never their secrets)
 *   DELETE /v1/tokens/{id}  revoke one; it fails from the next request on
 *   GET    /v1/tokens/self  the caller's own token (any valid token may ask)
 * A token may only grant scopes and zones its creator holds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "api/view.h"
#include "dns/dns.h"
#include "storage/store_token.h"

#define TOKEN_DEFAULT_SECONDS (90LL * 86400)
#define TOKEN_MAX_SECONDS (3650LL * 86400)

typedef struct {
    auth_token_t tok;
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

/* The scopes of the body into st->tok.scopes. */
static int scopes_read(api_req_t *r, token_state_t *st, dnsapi_err_t *err)
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
        st->tok.scopes |= bit;
    }
    if ((st->tok.scopes & ~r->token.scopes) != 0) {
        return dnsapi_err_set(err, DNSAPI_EFORBIDDEN, NULL, NULL,
                              "a token may only grant scopes its creator holds");
    }
    return DNSAPI_OK;
}

/* The zones of the body into st->tok.zones. */
static int zones_read(api_req_t *r, token_state_t *st, dnsapi_err_t *err)
{
    json_t *zones = json_object_get(r->body, "zones");
    if (zones == NULL || json_is_null(zones)) {
        if (r->token.n_zones > 0) {
            return dnsapi_err_set(err, DNSAPI_EFORBIDDEN, NULL, NULL,
                                  "this token is limited to some zones: list the zones the new "
                                  "token may touch");
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
        char *z = st->tok.zones[st->tok.n_zones];
        if (!json_is_string(v)) {
            return dnsapi_err_set(err, DNSAPI_EINVAL, "wrong_type", "zones",
                                  "zones must be strings");
        }
        if (dns_zone_name_normalize(json_string_value(v), z, sizeof(st->tok.zones[0]), err) !=
            DNSAPI_OK) {
            snprintf(err->field, sizeof(err->field), "zones");
            return err->status;
        }
        if (!auth_token_allows_zone(&r->token, z)) {
            return dnsapi_err_set(err, DNSAPI_EFORBIDDEN, NULL, NULL,
                                  "a token may only grant zones its creator may touch");
        }
        st->tok.n_zones++;
    }
    return DNSAPI_OK;
}

void handle_token_create(api_req_t *r)
{
    static const char *const allowed[] = {"name", "scopes", "zones", "expires_in", NULL};
    token_state_t *st = token_state(r);
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    const char *name = NULL;
    long long expires_in = TOKEN_DEFAULT_SECONDS;
    if (api_body_check_fields(r->body, allowed, NULL, &err) != DNSAPI_OK ||
        api_body_string(r->body, "name", true, false, &name, &err) < 0 ||
        api_body_int(r->body, "expires_in", false, 60, TOKEN_MAX_SECONDS, &expires_in, &err) < 0) {
        api_fail(r, &err);
        return;
    }
    if (name != NULL && strlen(name) > 200) {
        api_failf(r, DNSAPI_EINVAL, "too_long", "name", "name must be at most 200 characters");
        return;
    }
    if (scopes_read(r, st, &err) != DNSAPI_OK || zones_read(r, st, &err) != DNSAPI_OK) {
        api_fail(r, &err);
        return;
    }
    snprintf(st->tok.account_id, sizeof(st->tok.account_id), "%s", r->token.account_id);
    char scopes[128];
    auth_scopes_format(st->tok.scopes, scopes, sizeof(scopes));
    store_token_create(r->thread->db, &r->auth, name != NULL ? name : "", scopes,
                       (const char(*)[256])st->tok.zones, st->tok.n_zones,
                       (long long)time(NULL) + expires_in, on_created, api_hold(r));
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
