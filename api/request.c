/*
 * request.c - the request lifecycle (see api.h): one place that owns a
 * request from arrival to release.
 *
 *   on_req          arrival: the api_req_t, its request id, preflight
 *     route         api/router.c; 404 and 405 (with Allow)
 *     input         token, the request's budget (429), scope, {zone},
 *                   media type, body limit, JSON, Idempotency-Key and the
 *                   request's fingerprint
 *     handler       the route's, which ends in one answer call
 *   answer_*        finishing and send (api/answer.c)
 *   release         when h2o and every store operation have let go
 *
 * Answers that h2o itself sends before a request reaches us (a body over
 * the limit, a broken request) get the same JSON envelope through a filter
 * on the host's fallback path (error_filter below).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <openssl/evp.h>

#include "api/api.h"
#include "api/lifecycle.h"
#include "api/metrics.h"
#include "api/reply.h"
#include "api/router.h"
#include "dns/dns.h"
#include "storage/store_tx.h"

#define REQUEST_ID_MAX 64
#define IDEM_KEY_MAX 255

uint64_t api_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static api_thread_t *thread_of(h2o_req_t *req)
{
    return H2O_STRUCT_FROM_MEMBER(api_thread_t, ctx, req->conn->ctx);
}

/* ---- request ids --------------------------------------------------------- */

/* splitmix64: a loop's stream of ids, seeded once from the kernel's random
 * source, so restarts and replicas never repeat each other. */
static uint64_t rng_next(uint64_t *state)
{
    if (*state == 0) {
        uint64_t seed = 0;
        if (getrandom(&seed, sizeof(seed), 0) != (ssize_t)sizeof(seed)) {
            seed = api_now_ns() ^ (uint64_t)(uintptr_t)state;
        }
        *state = seed | 1;
    }
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* An incoming X-Request-Id is kept when it is a short token of letters,
 * digits and "-_.:" (so it is safe in logs and headers); otherwise the
 * request gets one of its own. */
static void request_id_set(api_req_t *r, h2o_req_t *req)
{
    ssize_t i = h2o_find_header_by_str(&req->headers, H2O_STRLIT("x-request-id"), -1);
    if (i >= 0) {
        h2o_iovec_t v = req->headers.entries[i].value;
        bool ok = v.len >= 1 && v.len <= REQUEST_ID_MAX;
        for (size_t k = 0; ok && k < v.len; k++) {
            unsigned char c = (unsigned char)v.base[k];
            ok = isalnum(c) || c == '-' || c == '_' || c == '.' || c == ':';
        }
        if (ok) {
            memcpy(r->request_id, v.base, v.len);
            r->request_id[v.len] = '\0';
            return;
        }
    }
    uint64_t a = rng_next(&r->thread->rng), b = rng_next(&r->thread->rng);
    snprintf(r->request_id, sizeof(r->request_id), "%016llx%016llx", (unsigned long long)a,
             (unsigned long long)b);
}

/* ---- life and release ------------------------------------------------------ */

static void release(api_req_t *r)
{
    if (--r->refs > 0) {
        return;
    }
    if (r->state_free != NULL) {
        r->state_free(r->state);
    }
    json_decref(r->body);
    r->thread->in_flight--;
    free(r);
}

/* Lives in the request's pool: tells the api_req_t that h2o has disposed
 * of the request. */
typedef struct {
    api_req_t *r;
} guard_t;

static void guard_dispose(void *p)
{
    guard_t *g = p;
    g->r->req = NULL;
    release(g->r);
}

void *api_hold(api_req_t *r)
{
    r->refs++;
    return r;
}

bool api_resume(api_req_t *r)
{
    bool here = r->req != NULL;
    release(r);
    return here;
}

bool api_resume_ok(api_req_t *r, int status, const dnsapi_err_t *err)
{
    if (!api_resume(r)) {
        return false;
    }
    if (status != DNSAPI_OK) {
        api_fail(r, err);
        return false;
    }
    return true;
}

/* ---- input ---------------------------------------------------------------------- */

/* The request's media type without parameters ("" when absent). */
static h2o_iovec_t media_type(h2o_req_t *req)
{
    ssize_t i = h2o_find_header(&req->headers, H2O_TOKEN_CONTENT_TYPE, -1);
    if (i < 0) {
        return h2o_iovec_init("", 0);
    }
    h2o_iovec_t v = req->headers.entries[i].value;
    size_t len = v.len;
    const char *semi = memchr(v.base, ';', v.len);
    if (semi != NULL) {
        len = (size_t)(semi - v.base);
    }
    while (len > 0 && v.base[len - 1] == ' ') {
        len--;
    }
    return h2o_iovec_init(v.base, len);
}

/* Verifies the bearer token; -1 with err filled when there is none or it
 * is not valid (the caller answers, after counting the request against its
 * address's budget). */
static int authenticate(api_req_t *r, dnsapi_err_t *err)
{
    h2o_req_t *req = r->req;
    const dnsapi_config_t *cfg = r->thread->cfg;
    dnsapi_err_clear(err);
    ssize_t i = h2o_find_header(&req->headers, H2O_TOKEN_AUTHORIZATION, -1);
    if (i < 0) {
        dnsapi_err_set(err, DNSAPI_EAUTH, "unauthorized", NULL,
                       "this endpoint needs a bearer token: send 'Authorization: Bearer <token>'");
        return -1;
    }
    h2o_iovec_t v = req->headers.entries[i].value;
    if (v.len < 8 || !h2o_lcstris(v.base, 7, H2O_STRLIT("bearer "))) {
        dnsapi_err_set(err, DNSAPI_EAUTH, "unauthorized", NULL,
                       "the Authorization header must be 'Bearer <token>'");
        return -1;
    }
    const char *tok = v.base + 7;
    size_t len = v.len - 7;
    while (len > 0 && *tok == ' ') {
        tok++, len--;
    }
    char *copy = h2o_mem_alloc_pool(&req->pool, len + 1);
    memcpy(copy, tok, len);
    copy[len] = '\0';
    api_thread_t *t = r->thread;
    if (!t->keyring_ready) {
        auth_keyring_init(&t->keyring, cfg);
        t->keyring_ready = true;
    }
    if (auth_token_verify_ring(copy, (int64_t)time(NULL), &t->keyring, &r->token, err) !=
        DNSAPI_OK) {
        return -1;
    }
    r->authed = true;
    r->auth = (store_auth_t){.token_id = r->token.token_id,
                             .account_id = r->token.account_id,
                             .zones = (const char(*)[256])r->token.zones,
                             .n_zones = r->token.n_zones,
                             .policies = r->token.policies,
                             .n_policies = r->token.n_policies};
    return 0;
}

/* ---- the request's budget (DNSAPI_RATE_LIMIT) ------------------------------------ */

/* The key of a client address: IPv4 (also IPv4-mapped IPv6) by address,
 * IPv6 by its /64, the block one subscriber usually holds. 0 when the
 * address is unknown. */
static size_t address_key(h2o_req_t *req, uint8_t *out)
{
    struct sockaddr_storage sa;
    socklen_t salen = req->conn->callbacks->get_peername(req->conn, (void *)&sa);
    if (salen == 0) {
        return 0;
    }
    if (sa.ss_family == AF_INET) {
        memcpy(out, &((struct sockaddr_in *)&sa)->sin_addr, 4);
        return 4;
    }
    if (sa.ss_family == AF_INET6) {
        const struct in6_addr *a = &((struct sockaddr_in6 *)&sa)->sin6_addr;
        if (IN6_IS_ADDR_V4MAPPED(a)) {
            memcpy(out, a->s6_addr + 12, 4);
            return 4;
        }
        memcpy(out, a->s6_addr, 8);
        return 8;
    }
    return 0;
}

/* Counts the request against budget: a token's read or write budget (by
 * its id) or, without a valid token, its address's. Answers 429
 * rate_limited and returns -1 when the budget is spent; does nothing when
 * limits are off or the budget is unlimited. */
static int rate_check(api_req_t *r, int budget)
{
    api_thread_t *t = r->thread;
    const dnsapi_rate_t *rate = &t->cfg->rate[budget];
    if (t->rate == NULL || rate->burst == 0) {
        return 0;
    }
    uint8_t key[RATELIMIT_KEY_MAX];
    size_t len;
    if (budget == DNSAPI_RATE_ADDRESS) {
        len = address_key(r->req, key);
    } else {
        len = strnlen(r->token.token_id, sizeof(r->token.token_id));
        memcpy(key, r->token.token_id, len);
    }
    ratelimit_take(t->rate, budget, rate, key, len, r->start_ns, &r->rate_res);
    r->rate_counted = true;
    r->rate_budget = budget;
    if (r->rate_res.allowed) {
        return 0;
    }
    api_metrics_rate_limited(t->metrics, budget);
    const char *unit = rate->unit_s == 1 ? "second" : rate->unit_s == 60 ? "minute" : "hour";
    unsigned long long wait = (unsigned long long)ratelimit_seconds(r->rate_res.retry_ns);
    if (budget == DNSAPI_RATE_ADDRESS) {
        api_failf(r, DNSAPI_EBADREQ, "rate_limited", NULL,
                  "too many requests without a valid token from this address (%u per %s, "
                  "bursts of %u); retry in %llu s",
                  rate->n, unit, rate->burst, wait);
    } else {
        api_failf(r, DNSAPI_EBADREQ, "rate_limited", NULL,
                  "this token has spent its %s budget (%u per %s, bursts of %u); retry in %llu s",
                  dnsapi_rate_budget_name(budget), rate->n, unit, rate->burst, wait);
    }
    return -1;
}

/* {zone}: an id (lowercased) or a normalized name the token may touch. */
static int zone_param(api_req_t *r)
{
    if (api_is_uuid(r->zone_key)) {
        r->zone_key_is_id = true;
        for (char *p = r->zone_key; *p; p++) {
            *p = (char)tolower((unsigned char)*p);
        }
        return 0;
    }
    char name[DNS_NAME_BUFSIZE];
    if (dns_zone_name_normalize(r->zone_key, name, sizeof(name), NULL) != DNSAPI_OK ||
        !auth_token_allows_zone(&r->token, name)) {
        api_failf(r, DNSAPI_ENOTFOUND, NULL, NULL, "zone '%s' not found",
                  r->zone_key[0] && strlen(r->zone_key) < 200 ? r->zone_key : "?");
        return -1;
    }
    snprintf(r->zone_key, sizeof(r->zone_key), "%s", name);
    return 0;
}

static int body_read(api_req_t *r)
{
    h2o_req_t *req = r->req;
    const dnsapi_config_t *cfg = r->thread->cfg;
    api_body_kind_t kind = r->route->body;
    size_t limit = kind == API_BODY_ZONEFILE ? cfg->max_import_body : cfg->max_body;
    if (kind == API_BODY_NONE) {
        return 0;
    }
    if (req->entity.len > limit) {
        api_failf(r, DNSAPI_EBADREQ, "payload_too_large", NULL,
                  "the request body is larger than %zu bytes", limit);
        return -1;
    }
    h2o_iovec_t mt = media_type(req);
    if (kind == API_BODY_ZONEFILE) {
        if (!h2o_lcstris(mt.base, mt.len, H2O_STRLIT("text/dns")) &&
            !h2o_lcstris(mt.base, mt.len, H2O_STRLIT("text/plain"))) {
            api_failf(r, DNSAPI_EBADREQ, "unsupported_media_type", NULL,
                      "send the master file with 'Content-Type: text/dns'");
            return -1;
        }
        return 0;
    }
    if (!h2o_lcstris(mt.base, mt.len, H2O_STRLIT("application/json"))) {
        api_failf(r, DNSAPI_EBADREQ, "unsupported_media_type", NULL,
                  "send the body as JSON with 'Content-Type: application/json'");
        return -1;
    }
    dnsapi_err_t err;
    if (api_body_json_parse(req->entity.base, req->entity.len, &r->body, &err) != DNSAPI_OK) {
        api_fail(r, &err);
        return -1;
    }
    return 0;
}

/* The fingerprint of a request: SHA-256 of method, path with query, body. */
static bool request_hash(h2o_req_t *req, char out[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    bool ok =
        c != NULL && EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1 &&
        EVP_DigestUpdate(c, req->method.base, req->method.len) == 1 &&
        EVP_DigestUpdate(c, " ", 1) == 1 &&
        EVP_DigestUpdate(c, req->path.base, req->path.len) == 1 &&
        EVP_DigestUpdate(c, "\n", 1) == 1 &&
        (req->entity.base == NULL || EVP_DigestUpdate(c, req->entity.base, req->entity.len) == 1) &&
        EVP_DigestFinal_ex(c, md, &mdlen) == 1 && mdlen == 32;
    EVP_MD_CTX_free(c);
    for (unsigned i = 0; ok && i < mdlen; i++) {
        snprintf(out + 2 * i, 3, "%02x", md[i]);
    }
    return ok;
}

static int idempotency_key(api_req_t *r)
{
    h2o_req_t *req = r->req;
    ssize_t i = h2o_find_header_by_str(&req->headers, H2O_STRLIT("idempotency-key"), -1);
    if (i < 0) {
        return 0;
    }
    if (!r->route->idempotent) {
        if (strcmp(r->route->method, "POST") != 0) {
            return 0; /* only POSTs take a key; elsewhere it means nothing */
        }
        /* tokens: a replay would have to keep the secret in the database */
        api_failf(r, DNSAPI_EINVAL, "idempotency_not_supported", "Idempotency-Key",
                  "tokens are not minted with an Idempotency-Key: the secret is shown once and "
                  "is not kept, so a lost answer cannot be replayed; list the tokens, revoke one "
                  "whose secret you did not receive and mint another");
        return -1;
    }
    h2o_iovec_t v = req->headers.entries[i].value;
    bool ok = v.len >= 1 && v.len <= IDEM_KEY_MAX;
    for (size_t k = 0; ok && k < v.len; k++) {
        ok = v.base[k] >= 0x20 && v.base[k] <= 0x7e;
    }
    if (!ok) {
        api_failf(r, DNSAPI_EINVAL, "bad_idempotency_key", "Idempotency-Key",
                  "Idempotency-Key must be 1 to %d printable ASCII characters, e.g. a UUID",
                  IDEM_KEY_MAX);
        return -1;
    }
    memcpy(r->idem_key, v.base, v.len);
    r->idem_key[v.len] = '\0';
    if (!request_hash(req, r->idem_hash)) {
        api_failf(r, DNSAPI_EINTERNAL, NULL, NULL, "the request could not be hashed");
        return -1;
    }
    r->has_idem = true;
    r->idem = (store_idem_t){r->idem_key, r->idem_hash};
    return 0;
}

/* ---- arrival -------------------------------------------------------------------- */

static void preflight(api_req_t *r)
{
    h2o_req_t *req = r->req;
    if (api_cors_apply(r)) {
        h2o_add_header_by_str(&req->pool, &req->res.headers,
                              H2O_STRLIT("access-control-allow-methods"), 0, NULL,
                              H2O_STRLIT("GET, POST, PATCH, PUT, DELETE, OPTIONS"));
        h2o_add_header_by_str(&req->pool, &req->res.headers,
                              H2O_STRLIT("access-control-allow-headers"), 0, NULL,
                              H2O_STRLIT("Authorization, Content-Type, Idempotency-Key, "
                                         "X-Request-Id"));
        h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("access-control-max-age"),
                              0, NULL, H2O_STRLIT("600"));
    }
    r->answered = true;
    req->res.status = 204;
    req->res.reason = "No Content";
    req->res.content_length = 0;
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-request-id"), 0, NULL,
                          r->request_id, strlen(r->request_id));
    h2o_send_inline(req, "", 0);
}

static int on_req(h2o_handler_t *self, h2o_req_t *req)
{
    api_thread_t *t = thread_of(req);
    api_req_t *r = calloc(1, sizeof(*r));
    if (r == NULL) {
        return -1;
    }
    r->req = req;
    r->thread = t;
    r->refs = 1;
    r->start_ns = api_now_ns();
    t->in_flight++;
    request_id_set(r, req);
    guard_t *g = h2o_mem_alloc_shared(&req->pool, sizeof(*g), guard_dispose);
    g->r = r;

    if (h2o_memis(req->method.base, req->method.len, H2O_STRLIT("OPTIONS"))) {
        preflight(r);
        return 0;
    }
    size_t plen = req->query_at != SIZE_MAX ? req->query_at : req->path.len;
    char allow[128];
    int k = router_match(req->method.base, req->method.len, req->path.base, plen, r->zone_key,
                         r->record_id, allow, sizeof(allow));
    if (k == -2 && h2o_memis(req->method.base, req->method.len, H2O_STRLIT("HEAD"))) {
        k = router_match("GET", 3, req->path.base, plen, r->zone_key, r->record_id, NULL, 0);
    }
    r->route = k >= 0 ? router_route(k) : NULL;
    bool needs_token = r->route != NULL && (r->route->scope != 0 || r->route->auth);
    if (!needs_token && rate_check(r, DNSAPI_RATE_ADDRESS) != 0) {
        return 0;
    }
    if (k == -1) {
        api_failf(r, DNSAPI_ENOTFOUND, NULL, NULL, "no such endpoint; see openapi.yaml");
        return 0;
    }
    if (k == -2) {
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_ALLOW, NULL, allow, strlen(allow));
        api_failf(r, DNSAPI_EBADREQ, "method_not_allowed", NULL,
                  "method %.*s is not allowed here; allowed: %s", (int)req->method.len,
                  req->method.base, allow);
        return 0;
    }
    if (needs_token) {
        dnsapi_err_t err;
        if (authenticate(r, &err) != 0) {
            if (rate_check(r, DNSAPI_RATE_ADDRESS) == 0) {
                api_fail(r, &err);
            }
            return 0;
        }
        if (rate_check(r, strcmp(r->route->method, "GET") == 0 ? DNSAPI_RATE_READ
                                                               : DNSAPI_RATE_WRITE) != 0) {
            return 0;
        }
        if (r->route->scope != 0 && (r->token.scopes & r->route->scope) == 0) {
            char names[64];
            auth_scopes_format(r->route->scope, names, sizeof(names));
            api_failf(r, DNSAPI_EFORBIDDEN, NULL, NULL, "this token lacks the %s scope", names);
            return 0;
        }
    }
    if ((r->route->zone_param && zone_param(r) != 0) || body_read(r) != 0 ||
        idempotency_key(r) != 0) {
        return 0;
    }
    r->route->handler(r);
    return 0;
}

/* ---- h2o's own error answers ---------------------------------------------------- */

/* h2o answers some requests itself before they reach on_req - a body over
 * max_request_entity_size (by Content-Length or chunked), a broken request
 * line - with a plain-text body. This filter on the host's fallback path
 * gives those answers the API's JSON envelope. */
typedef struct {
    h2o_ostream_t super;
    h2o_iovec_t body;
    bool sent;
} json_ostream_t;

static void json_ostream_send(h2o_ostream_t *self, h2o_req_t *req, h2o_iovec_t *bufs, size_t bufcnt,
                              h2o_send_state_t state)
{
    json_ostream_t *o = (void *)self;
    (void)bufs;
    (void)bufcnt;
    h2o_iovec_t out = o->body;
    size_t n = o->sent ? 0 : 1;
    o->sent = true;
    h2o_ostream_send_next(&o->super, req, &out, n, state);
}

static void error_filter_setup(h2o_filter_t *self, h2o_req_t *req, h2o_ostream_t **slot)
{
    (void)self;
    int status = req->res.status;
    if (status < 400) {
        h2o_setup_next_ostream(req, slot);
        return;
    }
    dnsapi_err_t err;
    if (status == 413) {
        dnsapi_err_set(&err, DNSAPI_EBADREQ, "payload_too_large", NULL,
                       "the request body is larger than this server accepts");
    } else {
        dnsapi_err_set(&err, DNSAPI_EBADREQ, "bad_request", NULL, "the request is malformed: %s",
                       req->res.reason != NULL ? req->res.reason : "");
    }
    strbuf_t b = {0};
    reply_error_body(&b, &err);
    json_ostream_t *o = (void *)h2o_add_ostream(req, sizeof(*o), slot);
    o->super.do_send = json_ostream_send;
    o->body = h2o_strdup(&req->pool, strbuf_str(&b), b.len);
    o->sent = false;
    strbuf_free(&b);
    req->res.content_length = o->body.len;
    h2o_set_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE,
                   H2O_STRLIT("application/json"), 1);
    slot = &o->super.next;
    h2o_setup_next_ostream(req, slot);
}

void api_request_register(h2o_hostconf_t *host)
{
    h2o_pathconf_t *pathconf = h2o_config_register_path(host, "/", 0);
    h2o_handler_t *handler = h2o_create_handler(pathconf, sizeof(*handler));
    handler->on_req = on_req;
    h2o_filter_t *f = h2o_create_filter(&host->fallback_path, sizeof(*f));
    f->on_setup_ostream = error_filter_setup;
}
