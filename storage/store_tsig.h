/*
 * store_tsig.h - TSIG keys (RFC 8945) as credentials: mint, list, read,
 * revoke for the account that asks, and the lookup by name the DNS UPDATE
 * listener makes before it knows who is asking.
 *
 * The secret is stored sealed (common/seal.h): callers seal before
 * store_tsig_create and open what store_tsig_lookup returns. Key names are
 * unique over every account (a message names its key, not its account):
 * minting a taken name is 409 name_taken.
 */
#ifndef DNSAPI_STORAGE_STORE_TSIG_H
#define DNSAPI_STORAGE_STORE_TSIG_H

#include "storage/store.h"

typedef struct {
    const char *id;
    const char *account_id;
    const char *name; /* absolute, lowercase */
    const char *algorithm;
    const char *scopes;     /* space separated */
    const char *zones_json; /* JSON array, or NULL for every zone */
    const char *policies_json;
    const char *expires_at, *created_at, *revoked_at; /* revoked_at NULL: live */
    long long expires_epoch;
    const char *secret_sealed; /* only from store_tsig_lookup */
} store_tsig_t;

typedef void (*store_tsig_cb)(void *ctx, int status, const dnsapi_err_t *err,
                              const store_tsig_t *key);
typedef void (*store_tsig_page_cb)(void *ctx, int status, const dnsapi_err_t *err,
                                   const store_tsig_t *keys, size_t n, long long total);

/* What a new key is. */
typedef struct {
    const char *name, *algorithm, *secret_sealed;
    const char *scopes; /* space separated */
    const char (*zones)[256];
    size_t n_zones;
    const char *policies_json; /* NULL: none */
    long long expires_at;      /* epoch seconds */
} store_tsig_new_t;

void store_tsig_create(db_pool_t *db, const store_auth_t *auth, const store_tsig_new_t *k,
                       store_tsig_cb cb, void *ctx);

/* A page of the account's keys, oldest first. */
void store_tsig_list(db_pool_t *db, const store_auth_t *auth, long long limit, long long offset,
                     store_tsig_page_cb cb, void *ctx);

/* One key of the account (404 otherwise). */
void store_tsig_get(db_pool_t *db, const store_auth_t *auth, const char *id, store_tsig_cb cb,
                    void *ctx);

/* Revokes a live key of the account; not found (or revoked): 404. */
void store_tsig_revoke(db_pool_t *db, const store_auth_t *auth, const char *id, store_tsig_cb cb,
                       void *ctx);

/* The live key (neither revoked nor expired) named name, with its sealed
 * secret and account; 404 when there is none. No caller to check: the
 * listener verifies the message with the key before it trusts anything. */
void store_tsig_lookup(db_pool_t *db, const char *name, store_tsig_cb cb, void *ctx);

#endif
