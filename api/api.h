/*
 * api.h - what every part of the HTTP API shares: the per-thread context,
 * the per-request context and the handler signature.
 *
 * Memory: an api_req_t lives on the heap, outside h2o's request pool, because
 * a database callback may arrive after the client has gone. A small guard
 * allocated in the request's pool clears api_req_t.req when h2o disposes the
 * request; the api_req_t is freed when both the guard and every database
 * operation have let go of it. Never touch req after the response is sent.
 */
#ifndef DNSAPI_API_API_H
#define DNSAPI_API_API_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <h2o.h>
#include <jansson.h>

#include "api/auth.h"
#include "common/config.h"
#include "common/error.h"
#include "storage/db_pool.h"

typedef struct api_thread {
    const dnsapi_config_t *cfg;
    h2o_context_t ctx;
    db_pool_t *db;
    int index;
    uint64_t request_seq;
    size_t in_flight;
    /* open client connections of this loop, including those handed to it
     * by another loop and not yet picked up (api/server.c) */
    atomic_int connections;
    /* counters for /metrics */
    unsigned long long requests, responses_by_class[6];
} api_thread_t;

typedef struct api_req api_req_t;

/* A database step of a handler: called with the round's results. It must
 * call db_session_next or db_session_end on s (api_req_done ends it for
 * you). */
typedef void (*api_step_fn)(api_req_t *r, db_session_t *s, int status, PGresult **res, size_t n);

struct api_req {
    h2o_req_t *req; /* NULL once the client has gone */
    api_thread_t *thread;
    int refs;
    char request_id[24];
    uint64_t start_ns;
    bool responded;
    /* authentication */
    bool authed;
    auth_token_t token;
    /* route parameters (raw, percent-decoded, NUL-terminated) */
    char zone_key[300];
    char record_id[64];
    /* the zone when known: absolute name and whether zone_key is an id */
    char zone_name[256];
    bool zone_key_is_id;
    void (*zone_resolved)(api_req_t *r); /* api_zone_resolve's continuation */
    /* Idempotency-Key (api/idempotency.c): the key, the request's hash,
     * the step after the lookup, whether the key is claimed by the write,
     * and an answer held back until a commit */
    char idem_key[256];
    char idem_hash[65];
    void (*idem_next)(api_req_t *r);
    bool idem_claimed;
    json_t *idem_answer;
    int idem_answer_status;
    char *idem_body; /* the answer while it is being stored */
    size_t idem_body_len;
    /* parsed JSON body, if any */
    json_t *body;
    /* handler state, freed with the request by state_free */
    void *state;
    void (*state_free)(void *);
};

/* Runs a database round for r and calls step with the results, unless the
 * client has gone meanwhile (then the session is ended quietly). */
void api_db_run(api_req_t *r, const db_stmt_t *stmts, size_t n, api_step_fn step);
void api_db_next(api_req_t *r, db_session_t *s, const db_stmt_t *stmts, size_t n, api_step_fn step);

/* The query string's value for key (percent-decoded, in the request pool),
 * or NULL when absent. */
const char *api_query_get(api_req_t *r, const char *key);

/* True when s has the shape of a UUID. */
bool api_is_uuid(const char *s);

/* Handler entry points (api/handler_*.c). */
void handle_healthz(api_req_t *r);
void handle_readyz(api_req_t *r);
void handle_metrics(api_req_t *r);
void handle_zone_create(api_req_t *r);
void handle_zone_list(api_req_t *r);
void handle_zone_get(api_req_t *r);
void handle_zone_delete(api_req_t *r);
void handle_zone_export(api_req_t *r);
void handle_zone_changes(api_req_t *r);
void handle_record_create(api_req_t *r);
void handle_record_list(api_req_t *r);
void handle_record_get(api_req_t *r);
void handle_record_patch(api_req_t *r);
void handle_record_delete(api_req_t *r);
void handle_record_batch(api_req_t *r);
void handle_zone_import(api_req_t *r);
void handle_token_create(api_req_t *r);
void handle_token_list(api_req_t *r);
void handle_token_delete(api_req_t *r);

#endif
