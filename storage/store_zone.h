/*
 * store_zone.h - zones: create (a transaction, for its Idempotency-Key),
 * read, list, delete, the records of a master file, the audit trail.
 */
#ifndef DNSAPI_STORAGE_STORE_ZONE_H
#define DNSAPI_STORAGE_STORE_ZONE_H

#include "storage/store_tx.h"

/* Creates zone name (normalized) with its system records: name servers
 * ns[0..n_ns) and the SOA's hostmaster. With delegate, the account's
 * nearest enclosing zone gets the delegation to it, kept by dnsapi
 * (migrations/0040), in the same transaction; and the account's zones
 * below it move their delegations to it. cb gets the transaction (finish
 * it with store_tx_commit once the answer is built) and res->zone; a name
 * taken, or inside or above another account's zone, is 409 zone_exists. */
void store_zone_create(db_pool_t *db, const store_auth_t *auth, const char *name,
                       const char (*ns)[256], size_t n_ns, const char *hostmaster, bool delegate,
                       const store_idem_t *idem, store_tx_cb cb, void *ctx);

typedef void (*store_zone_cb)(void *ctx, int status, const dnsapi_err_t *err,
                              const store_zone_t *zone);

/* One zone by name or id. */
void store_zone_get(db_pool_t *db, const store_auth_t *auth, const char *key, store_zone_cb cb,
                    void *ctx);

/* Deletes a zone and everything in it, and the delegation to it that its
 * parent holds (the account's zones below it move theirs to their nearest
 * enclosing zone), in one transaction; cb's zone is the deleted one. */
void store_zone_delete(db_pool_t *db, const store_auth_t *auth, const char *key, store_zone_cb cb,
                       void *ctx);

/* A page of the account's zones in name order: contains (substring of the
 * name, or NULL), after (keyset: names after this one, or NULL). total is
 * the number of matching zones (-1 after a keyset cursor). With holding
 * (the names a name lies in: itself and its ancestors, n_holding of them)
 * the page is instead the one zone among them with the longest name, or
 * none; the other fields are ignored then. */
typedef struct {
    const char *contains, *after;
    long long limit, offset;
    const char (*holding)[DNS_NAME_BUFSIZE];
    size_t n_holding;
} store_zone_query_t;

typedef void (*store_zone_page_cb)(void *ctx, int status, const dnsapi_err_t *err,
                                   const store_zone_t *zones, size_t n, long long total);

void store_zone_list(db_pool_t *db, const store_auth_t *auth, const store_zone_query_t *q,
                     store_zone_page_cb cb, void *ctx);

/* The enabled records of a zone in master-file order (SOA first, apex NS,
 * then DNS order), for an export. */
typedef void (*store_zone_records_cb)(void *ctx, int status, const dnsapi_err_t *err,
                                      const store_zone_t *zone, const dns_record_t *rows, size_t n);

void store_zone_export(db_pool_t *db, const store_auth_t *auth, const char *key,
                       store_zone_records_cb cb, void *ctx);

/* The SOA and apex NS records (enabled ones, SOA first) of the zone that
 * holds name (the zone named name, else the nearest above it), whichever
 * account holds it: what the DNS listener answers SOA and NS queries with
 * (the same data the name servers serve); the records' owner is the
 * zone's name. zone is NULL in the callback; 404 when no zone holds name. */
void store_zone_apex(db_pool_t *db, const char *name, store_zone_records_cb cb, void *ctx);

/* One entry of the audit trail. before/after are JSON objects or NULL. */
typedef struct {
    const char *id;
    uint32_t serial;
    const char *action; /* create, update, delete */
    const char *record_id, *name, *type;
    const char *before_json, *after_json;
    const char *token_id;    /* NULL when unknown */
    const char *tsig_key_id; /* the key of a DNS UPDATE; NULL otherwise */
    const char *created_at;
} store_change_entry_t;

typedef void (*store_changes_cb)(void *ctx, int status, const dnsapi_err_t *err,
                                 const store_change_entry_t *rows, size_t n, long long total);

/* The audit trail, oldest first; after is a change id (keyset) or NULL. */
void store_zone_changes(db_pool_t *db, const store_auth_t *auth, const char *key, long long limit,
                        long long offset, const char *after, store_changes_cb cb, void *ctx);

#endif
