#include "api/handler_common.h"

#include <stdio.h>
#include <string.h>

db_stmt_t api_stmt_token_check(api_req_t *r)
{
    db_stmt_t st = {"token_check", 1, {r->token.token_id}};
    return st;
}

bool api_round_ok(api_req_t *r, db_session_t *s, int status, PGresult **res, size_t n,
                  size_t expect, const char *conflict_code)
{
    if (status != DNSAPI_OK || n < expect) {
        reply_db_error(r, status != DNSAPI_OK ? status : DNSAPI_EDB, NULL, conflict_code);
        db_session_end(s);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        ExecStatusType st = PQresultStatus(res[i]);
        if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
            reply_db_error(r, DNSAPI_OK, res[i], conflict_code);
            db_session_end(s);
            return false;
        }
    }
    return true;
}

const char *api_itoa(api_req_t *r, long long v)
{
    char *buf = h2o_mem_alloc_pool(&r->req->pool, 24);
    snprintf(buf, 24, "%lld", v);
    return buf;
}

static void on_zone_resolved(api_req_t *r, db_session_t *s, int status, PGresult **res, size_t n)
{
    if (!api_round_ok(r, s, status, res, n, 2, NULL)) {
        return;
    }
    db_session_end(s);
    if (PQntuples(res[1]) != 1) {
        reply_fail(r, DNSAPI_ENOTFOUND, NULL, NULL, "zone '%s' not found", r->zone_key);
        return;
    }
    snprintf(r->zone_name, sizeof(r->zone_name), "%s", PQgetvalue(res[1], 0, 1));
    if (!auth_token_allows_zone(&r->token, r->zone_name)) {
        reply_fail(r, DNSAPI_ENOTFOUND, NULL, NULL, "zone '%s' not found", r->zone_key);
        return;
    }
    r->zone_resolved(r);
}

void api_zone_resolve(api_req_t *r, void (*next)(api_req_t *r))
{
    if (r->zone_name[0] != '\0') {
        next(r);
        return;
    }
    /* r->state belongs to the handler: the continuation has its own slot */
    r->zone_resolved = next;
    db_stmt_t stmts[2] = {api_stmt_token_check(r),
                          {"zone_get", 2, {r->token.account_id, r->zone_key}}};
    api_db_run(r, stmts, 2, on_zone_resolved);
}

const char *api_pg_name_array(api_req_t *r, const char (*names)[256], size_t n)
{
    char *buf = h2o_mem_alloc_pool(&r->req->pool, n * (256 + 3) + 3);
    size_t used = 0;
    buf[used++] = '{';
    for (size_t i = 0; i < n; i++) {
        used += (size_t)sprintf(buf + used, "%s\"%s\"", i ? "," : "", names[i]);
    }
    buf[used++] = '}';
    buf[used] = '\0';
    return buf;
}
