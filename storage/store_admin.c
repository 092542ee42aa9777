#include "storage/store_admin.h"

#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>

static int db_fail(PGresult *r, dnsapi_err_t *err)
{
    int rc = dnsapi_err_set(err, DNSAPI_EDB, "database", NULL, "%s", PQresultErrorMessage(r));
    PQclear(r);
    return rc;
}

int store_admin_account_find(PGconn *c, const char *name, char *id_out, dnsapi_err_t *err)
{
    const char *p[1] = {name};
    PGresult *r =
        PQexecParams(c, "SELECT id FROM accounts WHERE name = $1", 1, NULL, p, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        return db_fail(r, err);
    }
    if (PQntuples(r) != 1) {
        PQclear(r);
        return dnsapi_err_set(err, DNSAPI_ENOTFOUND, "not_found", "account",
                              "no account named '%s'; create it with `dnsapi account create %s`",
                              name, name);
    }
    snprintf(id_out, 37, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return DNSAPI_OK;
}

int store_admin_account_create(PGconn *c, const char *name, char *id_out, dnsapi_err_t *err)
{
    const char *p[1] = {name};
    PGresult *r = PQexecParams(c,
                               "INSERT INTO accounts (name) VALUES ($1)"
                               " ON CONFLICT (name) DO NOTHING RETURNING id",
                               1, NULL, p, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
        if (state != NULL && strcmp(state, "23514") == 0) {
            PQclear(r);
            return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_name", "name",
                                  "account names are 1-63 lowercase letters, digits, '.', '_' "
                                  "or '-', starting with a letter or digit");
        }
        return db_fail(r, err);
    }
    if (PQntuples(r) == 1) {
        snprintf(id_out, 37, "%s", PQgetvalue(r, 0, 0));
        PQclear(r);
        return DNSAPI_OK;
    }
    PQclear(r);
    if (store_admin_account_find(c, name, id_out, err) != DNSAPI_OK) {
        return err != NULL ? err->status : DNSAPI_EDB;
    }
    return dnsapi_err_set(err, DNSAPI_ECONFLICT, "exists", "name", "account '%s' already exists",
                          name);
}

int store_admin_token_insert(PGconn *c, const char *account_id, const char *name,
                             const char *scopes, const char *zones, int64_t expires_at,
                             char *id_out, dnsapi_err_t *err)
{
    char exp[24];
    snprintf(exp, sizeof(exp), "%lld", (long long)expires_at);
    const char *p[5] = {account_id, name, scopes, zones, exp};
    PGresult *r = PQexecParams(c,
                               "INSERT INTO tokens (account_id, name, scopes, zones, expires_at)"
                               " VALUES ($1::uuid, $2, $3::text[], $4::text[],"
                               " to_timestamp($5::bigint)) RETURNING id",
                               5, NULL, p, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
        return db_fail(r, err);
    }
    snprintf(id_out, 37, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return DNSAPI_OK;
}

#define TS_UTC(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* Copies column i of row r into dst (size cap), "" when NULL. */
static void copy_col(const PGresult *r, int row, int i, char *dst, size_t cap)
{
    snprintf(dst, cap, "%s", PQgetisnull(r, row, i) ? "" : PQgetvalue(r, row, i));
}

/* Runs a query whose every row becomes one element of size elem; fill
 * copies one row. */
static int list_rows(PGconn *c, const char *sql, int nparams, const char *const *params,
                     size_t elem, void (*fill)(const PGresult *, int, void *), void **rows,
                     size_t *n, dnsapi_err_t *err)
{
    *rows = NULL;
    *n = 0;
    PGresult *r = PQexecParams(c, sql, nparams, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        return db_fail(r, err);
    }
    int count = PQntuples(r);
    if (count > 0) {
        char *out = calloc((size_t)count, elem);
        if (out == NULL) {
            PQclear(r);
            return dnsapi_err_set(err, DNSAPI_ENOMEM, "out_of_memory", NULL, "out of memory");
        }
        for (int i = 0; i < count; i++) {
            fill(r, i, out + (size_t)i * elem);
        }
        *rows = out;
        *n = (size_t)count;
    }
    PQclear(r);
    return DNSAPI_OK;
}

static void fill_account(const PGresult *r, int i, void *dst)
{
    store_admin_account_row_t *a = dst;
    copy_col(r, i, 0, a->id, sizeof(a->id));
    copy_col(r, i, 1, a->name, sizeof(a->name));
    copy_col(r, i, 2, a->created_at, sizeof(a->created_at));
    a->zones = strtoll(PQgetvalue(r, i, 3), NULL, 10);
    a->tokens = strtoll(PQgetvalue(r, i, 4), NULL, 10);
}

int store_admin_account_list(PGconn *c, store_admin_account_row_t **rows, size_t *n,
                             dnsapi_err_t *err)
{
    void *out;
    int rc =
        list_rows(c,
                  "SELECT a.id, a.name, " TS_UTC(
                      "a.created_at") ","
                                      " (SELECT count(*) FROM zones z WHERE z.account_id = a.id),"
                                      " (SELECT count(*) FROM tokens t WHERE t.account_id = a.id"
                                      "   AND t.revoked_at IS NULL AND t.expires_at > now())"
                                      " FROM accounts a ORDER BY a.name",
                  0, NULL, sizeof(**rows), fill_account, &out, n, err);
    *rows = out;
    return rc;
}

static void fill_token(const PGresult *r, int i, void *dst)
{
    store_admin_token_row_t *t = dst;
    copy_col(r, i, 0, t->id, sizeof(t->id));
    copy_col(r, i, 1, t->name, sizeof(t->name));
    copy_col(r, i, 2, t->scopes, sizeof(t->scopes));
    copy_col(r, i, 3, t->zones, sizeof(t->zones));
    copy_col(r, i, 4, t->created_at, sizeof(t->created_at));
    copy_col(r, i, 5, t->expires_at, sizeof(t->expires_at));
    copy_col(r, i, 6, t->revoked_at, sizeof(t->revoked_at));
    copy_col(r, i, 7, t->state, sizeof(t->state));
}

int store_admin_token_list(PGconn *c, const char *account_id, store_admin_token_row_t **rows,
                           size_t *n, dnsapi_err_t *err)
{
    const char *p[1] = {account_id};
    void *out;
    int rc = list_rows(
        c,
        "SELECT t.id, t.name, array_to_string(t.scopes, ' '),"
        " coalesce(array_to_string(t.zones, ' '), ''), " TS_UTC("t.created_at") ", " TS_UTC(
            "t.expires_at") ", " TS_UTC("t.revoked_at") ","
                                                        " CASE WHEN t.revoked_at IS NOT NULL THEN "
                                                        "'revoked'"
                                                        "      WHEN t.expires_at <= now() THEN "
                                                        "'expired' ELSE 'active' END"
                                                        " FROM tokens t WHERE t.account_id = "
                                                        "$1::uuid ORDER BY t.created_at, t.id",
        1, p, sizeof(**rows), fill_token, &out, n, err);
    *rows = out;
    return rc;
}

static bool looks_like_uuid(const char *s)
{
    if (strlen(s) != 36) {
        return false;
    }
    for (int i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash != (s[i] == '-') || (!dash && strchr("0123456789abcdefABCDEF", s[i]) == NULL)) {
            return false;
        }
    }
    return true;
}

int store_admin_token_revoke(PGconn *c, const char *id, dnsapi_err_t *err)
{
    if (!looks_like_uuid(id)) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_id", "id",
                              "'%.40s' is not a token id (a UUID, as `dnsapi token list` shows)",
                              id);
    }
    const char *p[1] = {id};
    PGresult *r = PQexecParams(c,
                               "UPDATE tokens t SET revoked_at = coalesce(t.revoked_at, now())"
                               " FROM (SELECT id, revoked_at AS before FROM tokens"
                               "       WHERE id = $1::uuid FOR UPDATE) o"
                               " WHERE t.id = o.id RETURNING o.before IS NOT NULL",
                               1, NULL, p, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        return db_fail(r, err);
    }
    if (PQntuples(r) == 0) {
        PQclear(r);
        return dnsapi_err_set(err, DNSAPI_ENOTFOUND, "not_found", "id", "no token has the id %s",
                              id);
    }
    bool already = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    PQclear(r);
    if (already) {
        return dnsapi_err_set(err, DNSAPI_ECONFLICT, "revoked", "id",
                              "token %s was revoked already", id);
    }
    return DNSAPI_OK;
}
