/*
 * store.h - what the API's store modules share: who is asking, how a
 * result reports failure, and the typed rows they hand back.
 *
 * The store modules (store_zone.h, store_record.h, store_tx.h,
 * store_token.h, store_health.h) own every statement, transaction boundary,
 * array encoding, row decoding and the mapping of database failures to
 * project errors; callers see typed values only. Every operation is
 * asynchronous on the caller's event loop (storage/db_pool.h): it returns at
 * once and calls back later, never from inside the call. Strings in a
 * result are borrowed and valid only during the callback.
 */
#ifndef DNSAPI_STORAGE_STORE_H
#define DNSAPI_STORAGE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "dns/change.h"
#include "dns/policy.h"
#include "storage/db_pool.h"

/* The caller of an operation. Every operation checks, in its own
 * transaction, that the token still stands (revocation takes effect on the
 * next request) and keeps to the token's zone limit (stored with the
 * token): another account's zone or a zone outside the limit is not found. */
typedef struct {
    const char *token_id;
    const char *account_id;
    const char (*zones)[256]; /* the token's zone limit as it says it; */
    size_t n_zones;           /* 0: every zone of the account */
    /* the credential's policies (dns/policy.h), checked on every write
     * operation by the write path; 0: limited by scopes and zones only */
    const dns_policy_t *policies;
    size_t n_policies;
    /* a TSIG key (its id) instead of a token: token_id is then NULL */
    const char *tsig_key_id;
    /* the operator at the command line instead of a credential (token_id
     * and tsig_key_id NULL): every zone of account_id; the audit trail
     * names no credential */
    bool operator_cli;
} store_auth_t;

/* A copy of a caller that an operation keeps while it runs (the caller's
 * strings may go before it ends; the zone limit is the token's, which the
 * request keeps). */
typedef struct {
    store_auth_t auth;
    char token_id[40], account_id[40], tsig_key_id[40];
} store_caller_t;

void store_caller_init(store_caller_t *c, const store_auth_t *auth);

/* True when auth may see zone (an absolute name). */
bool store_auth_allows(const store_auth_t *auth, const char *zone);

/* What one name server was last seen serving for a zone (zonegen checks
 * it: a DNSAPI_VERIFY server or a secondary). */
typedef struct {
    const char *name, *address;
    bool has_serial; /* false: it never answered */
    uint32_t serial;
    bool in_sync;
    const char *checked_at; /* NULL: never */
    const char *error;      /* the last check's problem, or NULL */
} store_zone_server_t;

/* A zone. */
typedef struct {
    const char *id;
    const char *name; /* absolute */
    uint32_t serial;
    bool has_published;
    uint32_t published_serial;
    const char *nameservers_json; /* a JSON array of names */
    const char *created_at, *updated_at;
    long long record_count;
    const char *last_error; /* NULL: none */
    /* its publication, from the reads that show it (one zone, a page,
     * a create; has_publication false otherwise): */
    bool has_publication;
    const char *status;                 /* "pending", "published" or "failing" */
    const char *error;                  /* failing: why, in words to act on; else NULL */
    const store_zone_server_t *servers; /* the primary side first, then by name */
    size_t n_servers;
} store_zone_t;

/* A token (never its secret). */
typedef struct {
    const char *id;
    const char *name;
    const char *scopes;                               /* space separated */
    const char *zones_json;                           /* JSON array, or NULL for every zone */
    const char *expires_at, *created_at, *revoked_at; /* revoked_at NULL: live */
    long long expires_epoch;
    const char *policies_json; /* JSON array (dns/policy.h), or NULL: none */
} store_token_t;

/* An Idempotency-Key of a write and the fingerprint of its request. */
typedef struct {
    const char *key;
    const char *hash;
} store_idem_t;

/* ---- for the store modules only --------------------------------------- */

/* Fills err from a failed round (status not DNSAPI_OK, res NULL) or a
 * failed statement: unique violation -> 409 with conflict_code (default
 * "duplicate"), DA001 -> 403 system_record, DA002 -> 401 invalid_token,
 * busy -> 503, anything else -> 503 unavailable. Returns err->status. */
int store_error(int status, const PGresult *res, const char *conflict_code, dnsapi_err_t *err);

/* True when every one of res[0..n) ran (PGRES_COMMAND_OK / TUPLES_OK) and
 * n is at least want; else fills err (through store_error) and returns
 * false. */
bool store_results_ok(int status, PGresult **res, size_t n, size_t want, const char *conflict_code,
                      dnsapi_err_t *err);

/* Record rows: every statement that returns records returns these columns
 * (storage/statements.c, RECORD_COLS). */
void store_record_decode(const PGresult *res, int row, dns_record_t *out);
void store_zone_decode(const PGresult *res, int row, store_zone_t *out);
void store_token_decode(const PGresult *res, int row, store_token_t *out);

/* A PostgreSQL array literal built element by element (NULL elements
 * allowed); store_array_done returns the text, or NULL when out of memory.
 * Free with store_array_free. */
typedef struct {
    char *p;
    size_t len, cap;
    size_t n;
    bool failed;
} store_array_t;

void store_array_add(store_array_t *a, const char *elem);
void store_array_add_int(store_array_t *a, long long v);
const char *store_array_done(store_array_t *a);
void store_array_free(store_array_t *a);

/* The statement that opens every round of an operation: the check of the
 * token (or of the TSIG key) that asks. */
db_stmt_t store_stmt_token_check(const store_auth_t *auth);

/* Runs one round - one implicit transaction - and calls fn with its
 * results; then ends the session and frees data (malloc'd by the caller,
 * may be NULL). */
typedef void (*store_round_fn)(void *data, int status, PGresult **res, size_t n);
void store_run(db_pool_t *db, const db_stmt_t *stmts, size_t n, store_round_fn fn, void *data);

/* Decimal text of v in buf (at least 24 bytes). */
const char *store_itoa(char *buf, long long v);

#endif
