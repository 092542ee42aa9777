/*
 * store_token.h - bearer tokens: mint (the row; the signed secret is made
 * by api/auth.c from it), list, revoke.
 */
#ifndef DNSAPI_STORAGE_STORE_TOKEN_H
#define DNSAPI_STORAGE_STORE_TOKEN_H

#include "storage/store.h"

typedef void (*store_token_cb)(void *ctx, int status, const dnsapi_err_t *err,
                               const store_token_t *tok);

/* A new token of auth's account: name, scopes (space separated names),
 * zones (n_zones names, 0 for every zone), policies (a JSON array, or NULL
 * for none), expiry in epoch seconds. */
void store_token_create(db_pool_t *db, const store_auth_t *auth, const char *name,
                        const char *scopes, const char (*zones)[256], size_t n_zones,
                        const char *policies_json, long long expires_at, store_token_cb cb,
                        void *ctx);

typedef void (*store_token_page_cb)(void *ctx, int status, const dnsapi_err_t *err,
                                    const store_token_t *toks, size_t n, long long total);

/* A page of the account's tokens, oldest first. */
void store_token_list(db_pool_t *db, const store_auth_t *auth, long long limit, long long offset,
                      store_token_page_cb cb, void *ctx);

/* One token of the account (the caller's own, for GET /v1/tokens/self). */
void store_token_get(db_pool_t *db, const store_auth_t *auth, const char *id, store_token_cb cb,
                     void *ctx);

/* Revokes a live token of the account; not found (or revoked): 404. */
void store_token_revoke(db_pool_t *db, const store_auth_t *auth, const char *id, store_token_cb cb,
                        void *ctx);

#endif
