/*
 * store_admin.h - synchronous queries for the command-line tools (account
 * and token creation). Never used from an event loop.
 */
#ifndef DNSAPI_STORAGE_STORE_ADMIN_H
#define DNSAPI_STORAGE_STORE_ADMIN_H

#include <stdint.h>

#include <libpq-fe.h>

#include "common/error.h"

/* Creates account name; writes its id (37 bytes) into id_out. An existing
 * account is DNSAPI_ECONFLICT with code "exists" (id_out still filled). */
int store_account_create(PGconn *c, const char *name, char *id_out, dnsapi_err_t *err);

/* Looks an account up by name: DNSAPI_OK, DNSAPI_ENOTFOUND or DNSAPI_EDB. */
int store_account_find(PGconn *c, const char *name, char *id_out, dnsapi_err_t *err);

/* Inserts a token row; scopes and zones are PostgreSQL array literals
 * (zones may be NULL: every zone). Writes the token id into id_out. */
int store_token_insert(PGconn *c, const char *account_id, const char *name, const char *scopes,
                       const char *zones, int64_t expires_at, char *id_out, dnsapi_err_t *err);

#endif
