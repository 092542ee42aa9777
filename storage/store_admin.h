/*
 * store_admin.h - synchronous queries for the command-line tools (accounts
 * and tokens: create, list, revoke). Never used from an event loop.
 */
#ifndef DNSAPI_STORAGE_STORE_ADMIN_H
#define DNSAPI_STORAGE_STORE_ADMIN_H

#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "common/error.h"

/* Creates account name; writes its id (37 bytes) into id_out. An existing
 * account is DNSAPI_ECONFLICT with code "exists" (id_out still filled). */
int store_admin_account_create(PGconn *c, const char *name, char *id_out, dnsapi_err_t *err);

/* Looks an account up by name: DNSAPI_OK, DNSAPI_ENOTFOUND or DNSAPI_EDB. */
int store_admin_account_find(PGconn *c, const char *name, char *id_out, dnsapi_err_t *err);

/* Inserts a token row; scopes and zones are PostgreSQL array literals
 * (zones may be NULL: every zone). Writes the token id into id_out. */
int store_admin_token_insert(PGconn *c, const char *account_id, const char *name,
                             const char *scopes, const char *zones, int64_t expires_at,
                             char *id_out, dnsapi_err_t *err);

/* One account as `dnsapi account list` shows it. */
typedef struct {
    char id[37];
    char name[64];
    char created_at[24]; /* RFC 3339 UTC, "2026-12-01T22:06:46Z" */
    long long zones;     /* zones it owns */
    long long tokens;    /* tokens neither revoked nor expired */
} store_admin_account_row_t;

/* Every account, by name. *rows is malloc'd (free it; NULL when there are
 * none) and *n its length. DNSAPI_OK or DNSAPI_EDB. */
int store_admin_account_list(PGconn *c, store_admin_account_row_t **rows, size_t *n,
                             dnsapi_err_t *err);

/* One token as `dnsapi token list` shows it (never its secret: only the
 * server's key can make one again). */
typedef struct {
    char id[37];
    char name[128];
    char scopes[128];    /* space separated */
    char zones[1024];    /* space separated absolute names; "" = every zone */
    char created_at[24]; /* RFC 3339 UTC */
    char expires_at[24]; /* RFC 3339 UTC */
    char revoked_at[24]; /* RFC 3339 UTC, "" when not revoked */
    char state[8];       /* "active", "expired" or "revoked" */
} store_admin_token_row_t;

/* Every token of account_id, oldest first. *rows is malloc'd (free it). */
int store_admin_token_list(PGconn *c, const char *account_id, store_admin_token_row_t **rows,
                           size_t *n, dnsapi_err_t *err);

/* Revokes token id (any account: the CLI is the operator). DNSAPI_OK;
 * DNSAPI_ENOTFOUND when no token has that id; DNSAPI_ECONFLICT (code
 * "revoked") when it was revoked already; DNSAPI_EINVAL when id is not a
 * UUID. */
int store_admin_token_revoke(PGconn *c, const char *id, dnsapi_err_t *err);

#endif
