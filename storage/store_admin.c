#include "storage/store_admin.h"

#include <stdio.h>
#include <string.h>

static int db_fail(PGresult *r, dnsapi_err_t *err)
{
    int rc = dnsapi_err_set(err, DNSAPI_EDB, "database", NULL, "%s", PQresultErrorMessage(r));
    PQclear(r);
    return rc;
}

int store_account_find(PGconn *c, const char *name, char *id_out, dnsapi_err_t *err)
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

int store_account_create(PGconn *c, const char *name, char *id_out, dnsapi_err_t *err)
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
    if (store_account_find(c, name, id_out, err) != DNSAPI_OK) {
        return err != NULL ? err->status : DNSAPI_EDB;
    }
    return dnsapi_err_set(err, DNSAPI_ECONFLICT, "exists", "name", "account '%s' already exists",
                          name);
}

int store_token_insert(PGconn *c, const char *account_id, const char *name, const char *scopes,
                       const char *zones, int64_t expires_at, char *id_out, dnsapi_err_t *err)
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
