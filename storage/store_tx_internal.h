/*
 * store_tx_internal.h - the transaction machinery, for the store modules
 * that open transactions of their own (store_zone.c: zone creation).
 */
#ifndef DNSAPI_STORAGE_STORE_TX_INTERNAL_H
#define DNSAPI_STORAGE_STORE_TX_INTERNAL_H

#include "storage/store_tx.h"

/* Called with a round's results; must continue or end tx. */
typedef void (*store_tx_round_fn)(store_tx_t *tx, int status, PGresult **res, size_t n);

struct store_tx {
    db_pool_t *db;
    db_session_t *s; /* NULL before the first round and after a failure */
    store_caller_t caller;
    char zone_key[300];
    char idem_key[256], idem_hash[65];
    bool keyed;     /* the answer is stored under the key at commit */
    bool dry_run;   /* the write round rolls back */
    bool open;      /* an explicit transaction is open */
    bool committed; /* the write round committed */
    size_t first;   /* index of the first statement after the opening ones */
    /* the caller's callbacks */
    store_tx_cb cb;
    store_written_cb written_cb;
    store_done_cb done_cb;
    void *ctx;
    void *data; /* the opening module's own state */
};

/* A new transaction for auth (copied) on zone_key with idem (copied,
 * ignored for a dry run); NULL when out of memory. */
store_tx_t *store_tx_new(db_pool_t *db, const store_auth_t *auth, const char *zone_key,
                         const store_idem_t *idem, bool dry_run);

/* Writes the opening statements into stmts (BEGIN when explicit, the token
 * check, the key's expiry, claim and lookup) and returns how many;
 * explicit forces BEGIN even without a key. tx->first is set. */
size_t store_tx_opening(store_tx_t *tx, db_stmt_t *stmts, bool explicit_tx);

/* Reads the opening statements' results: fills res->replay (or err for a
 * key reused by another request). Returns false when the round failed or
 * the key decides the answer (res says which). */
bool store_tx_opened(store_tx_t *tx, int status, PGresult **res, size_t n, store_tx_result_t *out);

/* Runs a round on tx (its first when tx->s is NULL) and calls fn. */
void store_tx_run(store_tx_t *tx, const db_stmt_t *stmts, size_t n, store_tx_round_fn fn);

#endif
