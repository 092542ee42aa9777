/*
 * api.h - what every part of the HTTP API shares: the per-thread context,
 * the per-request context, the handler signature and the request
 * lifecycle's entry points (api/request.c).
 *
 * A request goes through api/request.c from arrival to release:
 *   arrival   request id, OPTIONS preflight
 *   routing   api/router.c (method and path -> route)
 *   input     authentication, the request's budget (api/ratelimit.h),
 *             scope, {zone}, media type, body limit, JSON, Idempotency-Key
 *   handler   the route's handler (one file per endpoint flow), which talks
 *             to storage/ and dns/ and ends with one api_answer* / api_fail*
 *   finishing for a write with an Idempotency-Key, the answer is stored
 *             under the key and committed with the write (store_tx_commit),
 *             then sent; every answer gets the request id, CORS and
 *             cache headers, is counted and logged once, here
 *   release   when both the client's side (h2o's request) and every
 *             pending store operation have let go of it
 *
 * Memory: an api_req_t lives on the heap, outside h2o's request pool,
 * because a database callback may arrive after the client has gone. A guard
 * in the request's pool clears api_req_t.req when h2o disposes the request;
 * api_hold / api_resume count store operations in flight. Never touch req
 * after the answer is sent.
 */
#ifndef DNSAPI_API_API_H
#define DNSAPI_API_API_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <h2o.h>
#include <jansson.h>

#include "api/auth.h"
#include "api/ratelimit.h"
#include "common/config.h"
#include "common/seal.h"
#include "common/error.h"
#include "dns/change.h"
#include "dnsclient/client.h"
#include "storage/db_pool.h"
#include "storage/store.h"

typedef struct api_metrics api_metrics_t;

typedef struct api_thread {
    const dnsapi_config_t *cfg;
    h2o_context_t ctx;
    db_pool_t *db;
    int index;
    uint64_t rng; /* request ids: seeded from the kernel's random source */
    size_t in_flight;
    /* open client connections of this loop, including those handed to it
     * by another loop and not yet picked up (api/server.c) */
    atomic_int connections;
    api_metrics_t *metrics; /* api/metrics.c */
    auth_keyring_t keyring; /* the keys tokens are verified with */
    const seal_key_t *seal; /* seals and opens TSIG secrets (common/seal.h) */
    bool keyring_ready;
    /* DNSAPI_RATE_LIMIT: the one table of every loop; NULL when off */
    ratelimit_t *rate;
    h2o_timeout_t wait_timeout; /* GET /v1/zones/{zone}?wait_for_serial polls */
    bool wait_timeout_ready;
    /* the live delegation checks' DNS client (api/delegations.c), made on
     * first use, and how many checks of this loop it has (running or not
     * yet released): it is freed only when none is left */
    dns_client_t *dns;
    size_t dns_checks;
} api_thread_t;

typedef struct api_req api_req_t;
typedef struct api_route api_route_t;

struct api_req {
    h2o_req_t *req; /* NULL once the client has gone */
    api_thread_t *thread;
    const api_route_t *route;
    int refs;
    char request_id[68];
    uint64_t start_ns;
    bool answered;
    /* authentication */
    bool authed;
    auth_token_t token;
    store_auth_t auth; /* the token as storage takes it */
    /* route parameters (percent-decoded, NUL-terminated): {zone} (a
     * normalized name, or a lowercase id) and the second parameter (an
     * id, or a name: up to 299 bytes decoded) */
    char zone_key[300];
    bool zone_key_is_id;
    char record_id[300];
    /* Idempotency-Key of a POST, with the request's fingerprint */
    bool has_idem;
    store_idem_t idem;
    char idem_key[256];
    char idem_hash[65];
    /* the parsed JSON body, if the route takes one */
    json_t *body;
    /* the budget the request was counted against (DNSAPI_RATE_*), for the
     * RateLimit-* headers; rate_counted false: none (limits off) */
    bool rate_counted;
    int rate_budget;
    ratelimit_result_t rate_res;
    /* the error code of the answer, for the access log */
    char error_code[40];
    /* handler state, freed with the request by state_free */
    void *state;
    void (*state_free)(void *);
};

/* ---- the lifecycle (api/request.c) -------------------------------------- */

/* Registers the API (and the JSON envelope of h2o's own error answers) on
 * a host. */
void api_request_register(h2o_hostconf_t *host);

/* Keeps r alive for a store operation; pass the result as its context. */
void *api_hold(api_req_t *r);

/* In a store callback: lets go of the hold. True when the client is still
 * there; false when it has gone (r must not be touched then; end any
 * transaction the callback got). */
bool api_resume(api_req_t *r);

/* In a store callback: api_resume, then the error answer when status is
 * not DNSAPI_OK. True when the handler goes on. */
bool api_resume_ok(api_req_t *r, int status, const dnsapi_err_t *err);

/* Answers {"status":"success","data":data} (takes data). */
void api_answer(api_req_t *r, int status, json_t *data);

/* Answers with data that is JSON text already (long lists). */
void api_answer_raw(api_req_t *r, int status, const char *data, size_t len);

/* Answers a write made in tx: with an Idempotency-Key the answer is stored
 * under the key and committed with the write first (a commit that fails is
 * answered 503, and nothing was written); the transaction ends either way.
 * Takes data. */
typedef struct store_tx store_tx_t;
void api_answer_tx(api_req_t *r, store_tx_t *tx, int status, json_t *data);

/* Sends the answer stored under the request's Idempotency-Key again. */
void api_answer_replay(api_req_t *r, int status, const char *body, size_t len);

/* Answers a non-JSON body (export, metrics). */
void api_answer_text(api_req_t *r, int status, const char *content_type, const char *body,
                     size_t len);

/* Answers the error envelope for err. */
void api_fail(api_req_t *r, const dnsapi_err_t *err);

/* Shorthand: builds the error and answers it. */
void api_failf(api_req_t *r, int status, const char *code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Answers the errors of a report (details name each entry). */
void api_fail_report(api_req_t *r, const dns_report_t *rep);

/* ---- request input (api/input.c) ---------------------------------------- */

/* The query string's value for key (percent-decoded, in the request pool),
 * NULL when absent, "\x01" when malformed. */
const char *api_query_get(api_req_t *r, const char *key);

/* A boolean query flag ("true"/"false"/"1"/"0"); absent is false. On a bad
 * value fills err (422) and returns -1. */
int api_query_bool(api_req_t *r, const char *key, bool *out, dnsapi_err_t *err);

/* True when s has the shape of a UUID. */
bool api_is_uuid(const char *s);

/* Paging parameters from the query string. */
typedef struct {
    long long limit, offset;
    bool has_cursor;
    char *cursor[4]; /* decoded cursor fields, in the request pool */
} api_paging_t;

/* Reads limit (default 50, at most 1000), offset and cursor (ncursor
 * fields). On a bad value fills err (422) and returns -1. */
int api_paging_parse(api_req_t *r, api_paging_t *p, int ncursor, dnsapi_err_t *err);

/* Of n rows read for a page (asked for limit + 1), how many the page
 * shows; *has_more says whether another page follows. */
size_t api_page_count(const api_paging_t *p, size_t n, bool *has_more);

/* A JSON request body buf[0..len) (not NUL-terminated): nested at most 32
 * deep, valid JSON without duplicate keys, an object. Sets *out (the
 * caller's reference) or fills err (400 bad_request). */
int api_body_json_parse(const char *buf, size_t len, json_t **out, dnsapi_err_t *err);

/* Checks that obj has only the allowed keys (NULL-terminated); else 422
 * unknown_field (or immutable_field for keys in immutable). */
int api_body_check_fields(json_t *obj, const char *const *allowed, const char *const *immutable,
                          dnsapi_err_t *err);

/* A string field: 0 absent (or null when nullable), 1 present (*out
 * borrowed), -1 wrong type (err filled). */
int api_body_string(json_t *obj, const char *key, bool required, bool nullable, const char **out,
                    dnsapi_err_t *err);

/* An integer field within [min, max]: as api_body_string. */
int api_body_int(json_t *obj, const char *key, bool required, long long min, long long max,
                 long long *out, dnsapi_err_t *err);

/* A boolean field: 0 absent (*out left as it is), 1 present, -1 wrong
 * type (err filled). */
int api_body_bool(json_t *obj, const char *key, bool *out, dnsapi_err_t *err);

/* The writable fields of a record (name, type, content, ttl, priority,
 * disabled, comment) from obj into f (strings borrowed from obj). */
int api_body_record_fields(json_t *obj, dns_fields_t *f, dnsapi_err_t *err);

/* The zone limits of the thread's configuration, for dns/rules. */
dns_limits_t api_limits(const api_req_t *r);

#endif
