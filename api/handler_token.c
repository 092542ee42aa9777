/* Tokens: mint (shown once), list, revoke. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/handler_common.h"
#include "dns/dns.h"

#define TOKEN_DEFAULT_SECONDS (90LL * 86400)
#define TOKEN_MAX_SECONDS (3650LL * 86400)

typedef struct {
    auth_token_t tok;
    view_paging_t paging;
} token_state_t;

static void token_state_free(void *p)
{
    free(p);
}

/* Gives r its token handler state, freed with the request. */
static token_state_t *token_state(api_req_t *r)
{
    token_state_t *st = calloc(1, sizeof(*st));
    if (st == NULL) {
        abort();
    }
    r->state = st;
    r->state_free = token_state_free;
    return st;
}

static void on_token_created(api_req_t *r, db_session_t *s, int status, PGresult **res, size_t n)
{
    token_state_t *st = r->state;
    if (!api_round_ok(r, s, status, res, n, 2, NULL)) {
        return;
    }
    db_session_end(s);
    snprintf(st->tok.token_id, sizeof(st->tok.token_id), "%s", PQgetvalue(res[1], 0, 0));
    st->tok.expires_at = strtoll(PQgetvalue(res[1], 0, 7), NULL, 10);
    const dnsapi_config_t *cfg = r->thread->cfg;
    char *secret = auth_token_mint(&st->tok, (int64_t)time(NULL),
                                   (const unsigned char *)cfg->jwt_secret, cfg->jwt_secret_len);
    if (secret == NULL) {
        reply_fail(r, DNSAPI_EINTERNAL, NULL, NULL, "the token could not be signed");
        return;
    }
    json_t *d = json_object();
    json_object_set_new(d, "message", json_string("Token created successfully"));
    json_object_set_new(d, "token", view_token(res[1], 0));
    json_object_set_new(d, "secret", json_string(secret));
    free(secret);
    reply_success(r, 201, d);
}

void handle_token_create(api_req_t *r)
{
    if (h2o_find_header_by_str(&r->req->headers, H2O_STRLIT("idempotency-key"), -1) >= 0) {
        /* A replay would have to keep the secret in the database. */
        reply_fail(r, DNSAPI_EINVAL, "idempotency_not_supported", "Idempotency-Key",
                   "tokens are not minted with an Idempotency-Key: the secret is shown once and "
                   "is not kept, so a lost answer cannot be replayed; list the tokens, revoke one "
                   "whose secret you did not receive and mint another");
        return;
    }
    static const char *const allowed[] = {"name", "scopes", "zones", "expires_in", NULL};
    token_state_t *st = token_state(r);
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    const char *name = NULL;
    long long expires_in = TOKEN_DEFAULT_SECONDS;
    if (view_body_check_fields(r->body, allowed, NULL, &err) != DNSAPI_OK ||
        view_body_string(r->body, "name", true, false, &name, &err) < 0 ||
        view_body_int(r->body, "expires_in", false, 60, TOKEN_MAX_SECONDS, &expires_in, &err) < 0) {
        reply_error(r, &err);
        return;
    }
    if (name != NULL && strlen(name) > 200) {
        reply_fail(r, DNSAPI_EINVAL, "too_long", "name", "name must be at most 200 characters");
        return;
    }
    json_t *scopes = json_object_get(r->body, "scopes");
    if (scopes == NULL) {
        reply_fail(r, DNSAPI_EINVAL, "missing_field", "scopes",
                   "scopes is required, e.g. [\"records:read\", \"records:write\"]");
        return;
    }
    if (!json_is_array(scopes) || json_array_size(scopes) == 0) {
        reply_fail(r, DNSAPI_EINVAL, "wrong_type", "scopes",
                   "scopes must be a non-empty array of scope names");
        return;
    }
    size_t i;
    json_t *v;
    char pgscopes[256] = "{";
    json_array_foreach(scopes, i, v)
    {
        unsigned bit = 0;
        if (!json_is_string(v)) {
            reply_fail(r, DNSAPI_EINVAL, "wrong_type", "scopes", "scopes must be strings");
            return;
        }
        if (auth_scopes_parse(json_string_value(v), &bit, &err) != DNSAPI_OK || bit == 0) {
            reply_error(r, &err);
            return;
        }
        st->tok.scopes |= bit;
    }
    if ((st->tok.scopes & ~r->token.scopes) != 0) {
        reply_fail(r, DNSAPI_EFORBIDDEN, NULL, NULL,
                   "a token may only grant scopes its creator holds");
        return;
    }
    char names[128];
    auth_scopes_format(st->tok.scopes, names, sizeof(names));
    for (char *p = names, *q = pgscopes + 1; *p; p++) {
        *q++ = *p == ' ' ? ',' : *p;
        *q = '}';
        q[1] = '\0';
    }
    json_t *zones = json_object_get(r->body, "zones");
    char *pgzones = NULL;
    if (zones != NULL && !json_is_null(zones)) {
        if (!json_is_array(zones) || json_array_size(zones) == 0 ||
            json_array_size(zones) > AUTH_MAX_ZONES) {
            reply_fail(r, DNSAPI_EINVAL, "wrong_type", "zones",
                       "zones must be null or an array of 1 to %d zone names", AUTH_MAX_ZONES);
            return;
        }
        pgzones = h2o_mem_alloc_pool(&r->req->pool, AUTH_MAX_ZONES * 260 + 4);
        size_t used = 0;
        pgzones[used++] = '{';
        json_array_foreach(zones, i, v)
        {
            char *z = st->tok.zones[st->tok.n_zones];
            if (!json_is_string(v)) {
                reply_fail(r, DNSAPI_EINVAL, "wrong_type", "zones", "zones must be strings");
                return;
            }
            if (dns_zone_name_normalize(json_string_value(v), z, sizeof(st->tok.zones[0]), &err) !=
                DNSAPI_OK) {
                snprintf(err.field, sizeof(err.field), "zones");
                reply_error(r, &err);
                return;
            }
            if (!auth_token_allows_zone(&r->token, z)) {
                reply_fail(r, DNSAPI_EFORBIDDEN, NULL, NULL,
                           "a token may only grant zones its creator may touch");
                return;
            }
            st->tok.n_zones++;
            used += (size_t)sprintf(pgzones + used, "%s\"%s\"", i ? "," : "", z);
        }
        pgzones[used++] = '}';
        pgzones[used] = '\0';
    } else if (r->token.n_zones > 0) {
        reply_fail(r, DNSAPI_EFORBIDDEN, NULL, NULL,
                   "this token is limited to some zones: list the zones the new token may touch");
        return;
    }
    snprintf(st->tok.account_id, sizeof(st->tok.account_id), "%s", r->token.account_id);
    long long expires_at = (long long)time(NULL) + expires_in;
    db_stmt_t stmts[2] = {
        api_stmt_token_check(r),
        {"token_insert",
         5,
         {r->token.account_id, name != NULL ? name : "", pgscopes, pgzones,
          api_itoa(r, expires_at)}},
    };
    api_db_run(r, stmts, 2, on_token_created);
}

static void on_token_list(api_req_t *r, db_session_t *s, int status, PGresult **res, size_t n)
{
    token_state_t *st = r->state;
    if (!api_round_ok(r, s, status, res, n, 2, NULL)) {
        return;
    }
    db_session_end(s);
    PGresult *rows = res[1];
    int count = PQntuples(rows);
    bool has_more = count > st->paging.limit;
    if (has_more) {
        count = (int)st->paging.limit;
    }
    json_t *tokens = json_array();
    for (int i = 0; i < count; i++) {
        json_array_append_new(tokens, view_token(rows, i));
    }
    long long total = count > 0 ? strtoll(PQgetvalue(rows, 0, 8), NULL, 10) : 0;
    json_t *d = json_object();
    json_object_set_new(d, "tokens", tokens);
    json_object_set_new(
        d, "pagination",
        view_pagination(total, st->paging.offset, st->paging.limit, count, has_more, NULL));
    reply_success(r, 200, d);
}

void handle_token_list(api_req_t *r)
{
    token_state_t *st = token_state(r);
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    if (view_paging_parse(r, &st->paging, 0, &err) != DNSAPI_OK) {
        reply_error(r, &err);
        return;
    }
    db_stmt_t stmts[2] = {
        api_stmt_token_check(r),
        {"token_list",
         3,
         {r->token.account_id, api_itoa(r, st->paging.limit + 1), api_itoa(r, st->paging.offset)}},
    };
    api_db_run(r, stmts, 2, on_token_list);
}

static void on_token_revoked(api_req_t *r, db_session_t *s, int status, PGresult **res, size_t n)
{
    if (!api_round_ok(r, s, status, res, n, 2, NULL)) {
        return;
    }
    db_session_end(s);
    if (PQntuples(res[1]) != 1) {
        reply_fail(r, DNSAPI_ENOTFOUND, NULL, NULL, "token '%s' not found (or already revoked)",
                   r->record_id);
        return;
    }
    json_t *d = json_object();
    json_object_set_new(d, "message", json_string("Token revoked successfully"));
    reply_success(r, 200, d);
}

void handle_token_delete(api_req_t *r)
{
    if (!api_is_uuid(r->record_id)) {
        reply_fail(r, DNSAPI_ENOTFOUND, NULL, NULL, "token not found");
        return;
    }
    db_stmt_t stmts[2] = {api_stmt_token_check(r),
                          {"token_revoke", 2, {r->token.account_id, r->record_id}}};
    api_db_run(r, stmts, 2, on_token_revoked);
}
