/* Tokens (see store_token.h). */
#include "storage/store_token.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    store_caller_t caller;
    char id[64];
    store_token_cb one_cb;
    store_token_page_cb page_cb;
    void *ctx;
} op_t;

static op_t *op_new(const store_auth_t *auth, void *ctx)
{
    op_t *op = calloc(1, sizeof(*op));
    if (op == NULL) {
        abort();
    }
    store_caller_init(&op->caller, auth);
    op->ctx = ctx;
    return op;
}

static void on_one(void *data, int status, PGresult **res, size_t n)
{
    op_t *op = data;
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    if (!store_results_ok(status, res, n, 2, NULL, &err)) {
        op->one_cb(op->ctx, err.status, &err, NULL);
        return;
    }
    if (PQntuples(res[1]) != 1) {
        dnsapi_err_set(&err, DNSAPI_ENOTFOUND, NULL, NULL,
                       "token '%s' not found (or already revoked)", op->id);
        op->one_cb(op->ctx, err.status, &err, NULL);
        return;
    }
    store_token_t tok;
    store_token_decode(res[1], 0, &tok);
    op->one_cb(op->ctx, DNSAPI_OK, NULL, &tok);
}

void store_token_create(db_pool_t *db, const store_auth_t *auth, const char *name,
                        const char *scopes, const char (*zones)[256], size_t n_zones,
                        const char *policies_json, long long expires_at, store_token_cb cb,
                        void *ctx)
{
    op_t *op = op_new(auth, ctx);
    op->one_cb = cb;
    store_array_t sc = {0}, zs = {0};
    for (const char *s = scopes; *s != '\0';) {
        size_t len = strcspn(s, " ");
        if (len > 0) {
            char one[64];
            snprintf(one, sizeof(one), "%.*s", (int)len, s);
            store_array_add(&sc, one);
        }
        s += len;
        s += *s == ' ';
    }
    for (size_t i = 0; i < n_zones; i++) {
        store_array_add(&zs, zones[i]);
    }
    const char *lsc = store_array_done(&sc), *lzs = n_zones > 0 ? store_array_done(&zs) : NULL;
    if (lsc == NULL || (n_zones > 0 && lzs == NULL)) {
        abort();
    }
    char exp[24];
    db_stmt_t stmts[2] = {
        store_stmt_token_check(&op->caller.auth),
        {"token_insert",
         6,
         {op->caller.account_id, name, lsc, lzs, store_itoa(exp, expires_at), policies_json}},
    };
    store_run(db, stmts, 2, on_one, op);
    store_array_free(&sc);
    store_array_free(&zs);
}

static void on_page(void *data, int status, PGresult **res, size_t n)
{
    op_t *op = data;
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    if (!store_results_ok(status, res, n, 2, NULL, &err)) {
        op->page_cb(op->ctx, err.status, &err, NULL, 0, 0);
        return;
    }
    const PGresult *rows = res[1];
    size_t count = (size_t)PQntuples(rows);
    store_token_t *toks = calloc(count + 1, sizeof(*toks));
    if (toks == NULL) {
        dnsapi_err_set(&err, DNSAPI_ENOMEM, NULL, NULL, "out of memory");
        op->page_cb(op->ctx, err.status, &err, NULL, 0, 0);
        return;
    }
    for (size_t i = 0; i < count; i++) {
        store_token_decode(rows, (int)i, &toks[i]);
    }
    /* column 9: the total over every page */
    long long total = count > 0 ? strtoll(PQgetvalue(rows, 0, 9), NULL, 10) : 0;
    op->page_cb(op->ctx, DNSAPI_OK, NULL, toks, count, total);
    free(toks);
}

void store_token_list(db_pool_t *db, const store_auth_t *auth, long long limit, long long offset,
                      store_token_page_cb cb, void *ctx)
{
    op_t *op = op_new(auth, ctx);
    op->page_cb = cb;
    char lim[24], off[24];
    db_stmt_t stmts[2] = {
        store_stmt_token_check(&op->caller.auth),
        {"token_list", 3, {op->caller.account_id, store_itoa(lim, limit), store_itoa(off, offset)}},
    };
    store_run(db, stmts, 2, on_page, op);
}

void store_token_revoke(db_pool_t *db, const store_auth_t *auth, const char *id, store_token_cb cb,
                        void *ctx)
{
    op_t *op = op_new(auth, ctx);
    op->one_cb = cb;
    snprintf(op->id, sizeof(op->id), "%s", id);
    db_stmt_t stmts[2] = {store_stmt_token_check(&op->caller.auth),
                          {"token_revoke", 2, {op->caller.account_id, op->id}}};
    store_run(db, stmts, 2, on_one, op);
}

void store_token_get(db_pool_t *db, const store_auth_t *auth, const char *id, store_token_cb cb,
                     void *ctx)
{
    op_t *op = op_new(auth, ctx);
    op->one_cb = cb;
    snprintf(op->id, sizeof(op->id), "%s", id);
    db_stmt_t stmts[2] = {store_stmt_token_check(&op->caller.auth),
                          {"token_get", 2, {op->caller.account_id, op->id}}};
    store_run(db, stmts, 2, on_one, op);
}
