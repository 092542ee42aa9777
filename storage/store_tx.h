/*
 * store_tx.h - write transactions: the one way every change reaches the
 * database.
 *
 * A transaction holds one connection of the pool from its first round to
 * its end. Its first round opens it, checks the token, settles the
 * Idempotency-Key and locks the zone; later rounds load records and write
 * the change; the last commits. With an Idempotency-Key the answer the
 * client will get is stored under the key in the same transaction as the
 * write (store_tx_commit), so a committed write always replays and an
 * uncommitted one leaves the key free. Without a key (and for a dry run)
 * the write round commits (or rolls back) by itself and store_tx_commit
 * only reports success.
 *
 * Every callback that receives a transaction must, before it returns, call
 * exactly one of store_tx_load, store_tx_write, store_tx_commit or
 * store_tx_end on it. store_tx_end rolls back whatever is not committed
 * and frees the transaction.
 */
#ifndef DNSAPI_STORAGE_STORE_TX_H
#define DNSAPI_STORAGE_STORE_TX_H

#include "storage/store.h"

typedef struct store_tx store_tx_t;

/* Which stored records a round loads. */
typedef struct {
    /* by id (deletes and patches name them), with every record at their
     * names and the NS records pointing at those names
     * (dns_view_covered_around) */
    const char *const *ids;
    size_t n_ids;
    const dns_interest_t *interest; /* at names, NS pointing at names, below */
    bool all;                       /* every record of the zone (imports) */
    /* the ids the change deletes or patches, which a record found below a
     * name must not be (the view holds them as the change leaves them) */
    const char *const *changed;
    size_t n_changed;
} store_load_t;

/* What a first round (or a load round) found. On failure status and err
 * say why (and the transaction is to be ended). */
typedef struct {
    int status;
    dnsapi_err_t err;
    /* the key already holds the answer of an earlier request: send it */
    bool replay;
    int replay_status;
    const char *replay_body;
    size_t replay_len;
    const store_zone_t *zone; /* the zone, locked for the transaction */
    const dns_record_t *rows; /* records loaded by this round */
    size_t n_rows;
} store_tx_result_t;

typedef void (*store_tx_cb)(void *ctx, store_tx_t *tx, const store_tx_result_t *res);

/* Opens a transaction on the zone of a record change: token, key (unless
 * dry_run), the zone locked (by name or id), and the records load asks
 * for. */
void store_tx_begin_change(db_pool_t *db, const store_auth_t *auth, const char *zone_key,
                           const store_idem_t *idem, bool dry_run, const store_load_t *load,
                           store_tx_cb cb, void *ctx);

/* Loads more records in the same transaction. */
void store_tx_load(store_tx_t *tx, const store_load_t *load, store_tx_cb cb, void *ctx);

/* The outcome of a write. created follows the order of the change's posts,
 * updated that of its patches (no-op patches are not written). */
typedef struct {
    int status;
    dnsapi_err_t err;
    uint32_t serial; /* the zone's serial after the change */
    const dns_record_t *created, *updated;
    size_t n_created, n_updated;
    const char *const *deleted; /* ids */
    size_t n_deleted;
} store_written_t;

typedef void (*store_written_cb)(void *ctx, store_tx_t *tx, const store_written_t *res);

/* Writes every operation of c (bound: dns_view_bind) - deletes, then
 * patches, then posts - and reads the new serial; commits unless the
 * transaction is keyed (then store_tx_commit does) or a dry run (rolled
 * back). A change with nothing to write writes nothing and keeps the
 * serial. A name-server change (c->nameservers) is the one change that may
 * write the apex NS set: the write opens it for this zone and transaction
 * (migrations/0030), makes the names the zone's name servers and the first
 * the SOA's MNAME, and closes it again. */
void store_tx_write(store_tx_t *tx, const dns_change_t *c, store_written_cb cb, void *ctx);

typedef void (*store_done_cb)(void *ctx, int status, const dnsapi_err_t *err);

/* Finishes the transaction: for a keyed one, stores status and body under
 * the key and commits; otherwise reports what the write did. Ends the
 * transaction (do not touch it afterwards). cb runs when the commit has
 * answered, or at once when there is nothing left to commit. */
void store_tx_commit(store_tx_t *tx, int status, const char *body, size_t len, store_done_cb cb,
                     void *ctx);

/* Rolls back what is not committed and frees the transaction. */
void store_tx_end(store_tx_t *tx);

/* True when the answer is to be stored under an Idempotency-Key. */
bool store_tx_keyed(const store_tx_t *tx);

#endif
