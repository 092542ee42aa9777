/*
 * db_pool.h - the asynchronous PostgreSQL engine of one event loop.
 *
 * Each event-loop thread owns a pool of libpq connections in non-blocking
 * pipeline mode whose sockets the loop watches; nothing here ever blocks.
 * Work arrives as rounds: a list of prepared statements sent together and
 * closed by one pipeline sync, so that a round without BEGIN is one implicit
 * transaction and costs one network round trip. An operation that must look
 * before it writes holds its connection across rounds (a session), with
 * BEGIN in its first round and COMMIT in its last.
 *
 * Operations wait in a bounded queue while every connection is busy. A
 * full queue, or a wait in it longer than 5 s, fails with DNSAPI_EBUSY; a
 * database that cannot be reached fails at once with DNSAPI_EDB; a round
 * that takes longer than the pool's round timeout breaks its connection
 * and fails with DNSAPI_EDB - so that the API can answer 503 with
 * Retry-After instead of waiting. A connection that breaks or cannot be
 * made is tried again after 250 ms, then 500 ms, 1 s, 2 s and every 4 s
 * until it comes back (the delay starts over once it has). A round may
 * have any number of results: the engine grows its array, and a failure
 * to grow fails the connection rather than dropping a result.
 */
#ifndef DNSAPI_STORAGE_DB_POOL_H
#define DNSAPI_STORAGE_DB_POOL_H

#include <stdbool.h>
#include <stddef.h>

#include <h2o.h>
#include <libpq-fe.h>

#define DB_MAX_PARAMS 16
#define DB_MAX_STMTS 16

typedef struct db_pool db_pool_t;
typedef struct db_session db_session_t;

/* One statement of a round: a prepared statement name (see
 * storage/statements.c) and its text parameters (NULL = SQL NULL). The
 * engine copies the parameters when the round is submitted. */
typedef struct {
    const char *name;
    int nparams;
    const char *params[DB_MAX_PARAMS];
} db_stmt_t;

/* Called when a round has finished. status is DNSAPI_OK when the round ran
 * (each statement's PGresult is in res[0..n-1]; a statement may have failed:
 * check PQresultStatus, and statements after a failure come back
 * PGRES_PIPELINE_ABORTED), or DNSAPI_EDB / DNSAPI_EBUSY / DNSAPI_ETIMEOUT
 * with res NULL. The results belong to the engine and are cleared when the
 * callback returns. The callback must call exactly one of db_session_next or
 * db_session_end on s. */
typedef void (*db_round_cb)(db_session_t *s, void *arg, int status, PGresult **res, size_t n);

/* Creates a pool of nconns connections to conninfo on loop, with at most
 * max_queue operations waiting and round_timeout_ms for a round to
 * finish. Connections start at once in the background. */
db_pool_t *db_pool_new(h2o_loop_t *loop, const char *conninfo, size_t nconns, size_t max_queue,
                       unsigned round_timeout_ms);

/* Closes every connection; operations still queued get DNSAPI_EDB. */
void db_pool_free(db_pool_t *pool);

/* Starts an operation: waits for a connection, then runs the first round.
 * cb always runs later, from the loop, never from inside this call. */
void db_pool_run(db_pool_t *pool, const db_stmt_t *stmts, size_t n, db_round_cb cb, void *arg);

/* Runs the next round of an operation on the same connection. */
void db_session_next(db_session_t *s, const db_stmt_t *stmts, size_t n, db_round_cb cb, void *arg);

/* Ends an operation and lends the connection to the next one; an open
 * transaction is rolled back first. */
void db_session_end(db_session_t *s);

/* True when at least one connection is up and ready. */
bool db_pool_ready(const db_pool_t *pool);

/* Counters for /metrics. */
typedef struct {
    size_t connections, ready, busy, queued;
    unsigned long long rounds, errors;
} db_pool_stats_t;
void db_pool_stats(const db_pool_t *pool, db_pool_stats_t *out);

#endif
