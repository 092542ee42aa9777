#include "api/router.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/idempotency.h"
#include "api/reply.h"
#include "dns/dns.h"

typedef enum {
    BODY_NONE,
    BODY_JSON,
    BODY_ZONEFILE, /* a master file: text/dns (or text/plain) */
} body_kind_t;

typedef struct {
    const char *method;
    const char *pattern; /* segments; '*' is a parameter: zone, then record/token id */
    void (*fn)(api_req_t *);
    unsigned scope; /* 0: no authentication */
    body_kind_t body;
    bool zone_param;
} route_t;

static const route_t routes[] = {
    {"GET", "/healthz", handle_healthz, 0, BODY_NONE, false},
    {"GET", "/readyz", handle_readyz, 0, BODY_NONE, false},
    {"GET", "/metrics", handle_metrics, 0, BODY_NONE, false},
    {"GET", "/v1/zones", handle_zone_list, AUTH_SCOPE_ZONES_READ, BODY_NONE, false},
    {"POST", "/v1/zones", handle_zone_create, AUTH_SCOPE_ZONES_WRITE, BODY_JSON, false},
    {"GET", "/v1/zones/*", handle_zone_get, AUTH_SCOPE_ZONES_READ, BODY_NONE, true},
    {"DELETE", "/v1/zones/*", handle_zone_delete, AUTH_SCOPE_ZONES_WRITE, BODY_NONE, true},
    {"GET", "/v1/zones/*/export", handle_zone_export, AUTH_SCOPE_ZONES_READ, BODY_NONE, true},
    {"GET", "/v1/zones/*/changes", handle_zone_changes, AUTH_SCOPE_ZONES_READ, BODY_NONE, true},
    {"POST", "/v1/zones/*/import", handle_zone_import, AUTH_SCOPE_RECORDS_WRITE, BODY_ZONEFILE,
     true},
    {"GET", "/v1/zones/*/records", handle_record_list, AUTH_SCOPE_RECORDS_READ, BODY_NONE, true},
    {"POST", "/v1/zones/*/records", handle_record_create, AUTH_SCOPE_RECORDS_WRITE, BODY_JSON,
     true},
    {"POST", "/v1/zones/*/records/batch", handle_record_batch, AUTH_SCOPE_RECORDS_WRITE, BODY_JSON,
     true},
    {"GET", "/v1/zones/*/records/*", handle_record_get, AUTH_SCOPE_RECORDS_READ, BODY_NONE, true},
    {"PATCH", "/v1/zones/*/records/*", handle_record_patch, AUTH_SCOPE_RECORDS_WRITE, BODY_JSON,
     true},
    {"DELETE", "/v1/zones/*/records/*", handle_record_delete, AUTH_SCOPE_RECORDS_WRITE, BODY_NONE,
     true},
    {"GET", "/v1/tokens", handle_token_list, AUTH_SCOPE_TOKENS_WRITE, BODY_NONE, false},
    {"POST", "/v1/tokens", handle_token_create, AUTH_SCOPE_TOKENS_WRITE, BODY_JSON, false},
    {"DELETE", "/v1/tokens/*", handle_token_delete, AUTH_SCOPE_TOKENS_WRITE, BODY_NONE, false},
};

#define N_ROUTES (sizeof(routes) / sizeof(routes[0]))

static int hexval(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = tolower(c);
    return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

/* Percent-decodes src[0..len) into dst (size cap); -1 when malformed, too
 * long, or when it decodes to a NUL byte. */
static int pct_decode(const char *src, size_t len, char *dst, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        int c = (unsigned char)src[i];
        if (c == '%') {
            if (i + 2 >= len) {
                return -1;
            }
            int hi = hexval(src[i + 1]), lo = hexval(src[i + 2]);
            if (hi < 0 || lo < 0) {
                return -1;
            }
            c = hi * 16 + lo;
            i += 2;
        }
        if (c == 0 || o + 1 >= cap) {
            return -1;
        }
        dst[o++] = (char)c;
    }
    dst[o] = '\0';
    return 0;
}

/* Matches one pattern against the raw path; parameters are decoded into
 * params[0..1]. */
static bool match_pattern(const char *pattern, const char *path, size_t plen, char params[2][300])
{
    const char *p = pattern;
    size_t i = 0;
    int np = 0;
    while (*p != '\0') {
        if (*p == '/') {
            if (i >= plen || path[i] != '/') {
                return false;
            }
            p++, i++;
            continue;
        }
        if (*p == '*') {
            size_t start = i;
            while (i < plen && path[i] != '/') {
                i++;
            }
            if (i == start || np == 2 ||
                pct_decode(path + start, i - start, params[np], sizeof(params[np])) != 0) {
                return false;
            }
            np++;
            p++;
            continue;
        }
        if (i >= plen || path[i] != *p) {
            return false;
        }
        p++, i++;
    }
    /* a trailing slash is tolerated */
    if (i + 1 == plen && path[i] == '/') {
        i++;
    }
    return i == plen;
}

int router_match(const char *method, size_t mlen, const char *path, size_t plen, char *zone_key,
                 char *record_id, char *allow, size_t allowlen)
{
    bool path_found = false;
    size_t used = 0;
    if (allow != NULL && allowlen > 0) {
        allow[0] = '\0';
    }
    for (size_t k = 0; k < N_ROUTES; k++) {
        char params[2][300] = {{0}};
        if (!match_pattern(routes[k].pattern, path, plen, params)) {
            continue;
        }
        path_found = true;
        if (allow != NULL && used < allowlen) {
            int n =
                snprintf(allow + used, allowlen - used, "%s%s", used ? ", " : "", routes[k].method);
            used += n > 0 ? (size_t)n : 0;
        }
        if (strlen(routes[k].method) == mlen && memcmp(routes[k].method, method, mlen) == 0) {
            if (routes[k].zone_param) {
                memcpy(zone_key, params[0], 300);
                memcpy(record_id, params[1], 64);
                record_id[63] = '\0';
            } else {
                memcpy(record_id, params[0], 64);
                record_id[63] = '\0';
            }
            return (int)k;
        }
    }
    if (path_found && allow != NULL && used < allowlen) {
        snprintf(allow + used, allowlen - used, ", OPTIONS");
    }
    return path_found ? -2 : -1;
}

bool api_is_uuid(const char *s)
{
    if (strlen(s) != 36) {
        return false;
    }
    for (int i = 0; i < 36; i++) {
        char c = s[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-') {
                return false;
            }
        } else if (!isxdigit((unsigned char)c)) {
            return false;
        }
    }
    return true;
}

const char *api_query_get(api_req_t *r, const char *key)
{
    h2o_req_t *req = r->req;
    if (req->query_at == SIZE_MAX) {
        return NULL;
    }
    const char *q = req->path.base + req->query_at + 1;
    const char *end = req->path.base + req->path.len;
    size_t klen = strlen(key);
    while (q < end) {
        const char *amp = memchr(q, '&', (size_t)(end - q));
        const char *pend = amp != NULL ? amp : end;
        const char *eq = memchr(q, '=', (size_t)(pend - q));
        const char *kend = eq != NULL ? eq : pend;
        if ((size_t)(kend - q) == klen && memcmp(q, key, klen) == 0) {
            const char *v = eq != NULL ? eq + 1 : pend;
            size_t vlen = (size_t)(pend - v);
            char *out = h2o_mem_alloc_pool(&req->pool, vlen + 1);
            /* '+' means space in query strings */
            char *tmp = h2o_mem_alloc_pool(&req->pool, vlen + 1);
            for (size_t i = 0; i < vlen; i++) {
                tmp[i] = v[i] == '+' ? ' ' : v[i];
            }
            if (pct_decode(tmp, vlen, out, vlen + 1) != 0) {
                return "\x01"; /* malformed: callers refuse control characters */
            }
            return out;
        }
        q = pend + 1;
    }
    return NULL;
}

/* ---- request lifecycle ---- */

static void api_req_release(api_req_t *r)
{
    if (--r->refs > 0) {
        return;
    }
    if (r->state_free != NULL) {
        r->state_free(r->state);
    }
    json_decref(r->body);
    json_decref(r->idem_answer);
    free(r->idem_body);
    r->thread->in_flight--;
    free(r);
}

/* Lives in the request's pool: tells the api_req_t that h2o has disposed
 * the request. */
typedef struct {
    api_req_t *r;
} guard_t;

static void guard_dispose(void *p)
{
    guard_t *g = p;
    g->r->req = NULL;
    api_req_release(g->r);
}

typedef struct {
    api_req_t *r;
    api_step_fn step;
} db_call_t;

static void on_db_round(db_session_t *s, void *arg, int status, PGresult **res, size_t n)
{
    db_call_t *call = arg;
    api_req_t *r = call->r;
    api_step_fn step = call->step;
    free(call);
    if (r->req == NULL) {
        db_session_end(s);
    } else {
        step(r, s, status, res, n);
    }
    api_req_release(r);
}

void api_db_run(api_req_t *r, const db_stmt_t *stmts, size_t n, api_step_fn step)
{
    db_call_t *call = malloc(sizeof(*call));
    if (call == NULL) {
        abort();
    }
    call->r = r;
    call->step = step;
    r->refs++;
    db_pool_run(r->thread->db, stmts, n, on_db_round, call);
}

void api_db_next(api_req_t *r, db_session_t *s, const db_stmt_t *stmts, size_t n, api_step_fn step)
{
    db_call_t *call = malloc(sizeof(*call));
    if (call == NULL) {
        abort();
    }
    call->r = r;
    call->step = step;
    r->refs++;
    db_session_next(s, stmts, n, on_db_round, call);
}

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static api_thread_t *thread_of(h2o_req_t *req)
{
    return H2O_STRUCT_FROM_MEMBER(api_thread_t, ctx, req->conn->ctx);
}

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

static bool is_json_media_type(h2o_req_t *req)
{
    h2o_iovec_t v = media_type(req);
    return h2o_lcstris(v.base, v.len, H2O_STRLIT("application/json"));
}

static void handle_preflight(api_req_t *r)
{
    h2o_req_t *req = r->req;
    if (reply_cors(r)) {
        h2o_add_header_by_str(&req->pool, &req->res.headers,
                              H2O_STRLIT("access-control-allow-methods"), 0, NULL,
                              H2O_STRLIT("GET, POST, PATCH, DELETE, OPTIONS"));
        h2o_add_header_by_str(&req->pool, &req->res.headers,
                              H2O_STRLIT("access-control-allow-headers"), 0, NULL,
                              H2O_STRLIT("Authorization, Content-Type, Idempotency-Key"));
        h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("access-control-max-age"),
                              0, NULL, H2O_STRLIT("600"));
    }
    /* reply_cors is applied again by the sender; drop duplicates by
     * answering through the plain path with no body. */
    r->responded = true;
    req->res.status = 204;
    req->res.reason = "No Content";
    req->res.content_length = 0;
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-request-id"), 0, NULL,
                          r->request_id, strlen(r->request_id));
    h2o_send_inline(req, "", 0);
}

/* The deepest nesting of arrays and objects in a JSON text, not counting
 * brackets inside strings. No request of ours nests deeper than a few
 * levels; refusing deep documents before parsing keeps the parser's work
 * bounded. */
static int json_depth(const char *p, size_t len)
{
    int depth = 0, max = 0;
    bool in_string = false;
    for (size_t i = 0; i < len; i++) {
        char c = p[i];
        if (in_string) {
            if (c == '\\') {
                i++;
            } else if (c == '"') {
                in_string = false;
            }
        } else if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            if (++depth > max) {
                max = depth;
            }
        } else if (c == '}' || c == ']') {
            depth--;
        }
    }
    return max;
}

#define JSON_MAX_DEPTH 32

static int authenticate(api_req_t *r)
{
    h2o_req_t *req = r->req;
    const dnsapi_config_t *cfg = r->thread->cfg;
    ssize_t i = h2o_find_header(&req->headers, H2O_TOKEN_AUTHORIZATION, -1);
    if (i < 0) {
        reply_fail(r, DNSAPI_EAUTH, "unauthorized", NULL,
                   "this endpoint needs a bearer token: send 'Authorization: Bearer <token>'");
        return -1;
    }
    h2o_iovec_t v = req->headers.entries[i].value;
    if (v.len < 8 || !h2o_lcstris(v.base, 7, H2O_STRLIT("bearer "))) {
        reply_fail(r, DNSAPI_EAUTH, "unauthorized", NULL,
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
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    if (auth_token_verify(copy, (int64_t)time(NULL), (const unsigned char *)cfg->jwt_secret,
                          cfg->jwt_secret_len, &r->token, &err) != DNSAPI_OK) {
        reply_error(r, &err);
        return -1;
    }
    r->authed = true;
    return 0;
}

static const char *scope_name(unsigned bit)
{
    static char buf[64];
    auth_scopes_format(bit, buf, sizeof(buf));
    return buf;
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
    r->start_ns = mono_ns();
    t->in_flight++;
    t->requests++;
    snprintf(r->request_id, sizeof(r->request_id), "%02x%06llx%08x", t->index & 0xff,
             (unsigned long long)(++t->request_seq & 0xffffff), (unsigned)random());
    guard_t *g = h2o_mem_alloc_shared(&req->pool, sizeof(*g), guard_dispose);
    g->r = r;

    size_t plen = req->query_at != SIZE_MAX ? req->query_at : req->path.len;
    char allow[128];
    if (h2o_memis(req->method.base, req->method.len, H2O_STRLIT("OPTIONS"))) {
        handle_preflight(r);
        return 0;
    }
    int k = router_match(req->method.base, req->method.len, req->path.base, plen, r->zone_key,
                         r->record_id, allow, sizeof(allow));
    bool head = false;
    if (k == -2 && h2o_memis(req->method.base, req->method.len, H2O_STRLIT("HEAD"))) {
        k = router_match("GET", 3, req->path.base, plen, r->zone_key, r->record_id, NULL, 0);
        head = k >= 0;
    }
    (void)head;
    if (k == -1) {
        reply_fail(r, DNSAPI_ENOTFOUND, NULL, NULL, "no such endpoint; see openapi.yaml");
        return 0;
    }
    if (k == -2) {
        reply_fail(r, DNSAPI_EBADREQ, "method_not_allowed", allow,
                   "method %.*s is not allowed here; allowed: %s", (int)req->method.len,
                   req->method.base, allow);
        return 0;
    }
    const route_t *route = &routes[k];
    if (route->scope != 0) {
        if (authenticate(r) != 0) {
            return 0;
        }
        if ((r->token.scopes & route->scope) == 0) {
            reply_fail(r, DNSAPI_EFORBIDDEN, NULL, NULL, "this token lacks the %s scope",
                       scope_name(route->scope));
            return 0;
        }
    }
    if (route->zone_param) {
        if (api_is_uuid(r->zone_key)) {
            r->zone_key_is_id = true;
            for (char *p = r->zone_key; *p; p++) {
                *p = (char)tolower((unsigned char)*p);
            }
        } else {
            if (dns_zone_name_normalize(r->zone_key, r->zone_name, sizeof(r->zone_name), NULL) !=
                    DNSAPI_OK ||
                !auth_token_allows_zone(&r->token, r->zone_name)) {
                reply_fail(r, DNSAPI_ENOTFOUND, NULL, NULL, "zone '%s' not found",
                           r->zone_key[0] && strlen(r->zone_key) < 200 ? r->zone_key : "?");
                return 0;
            }
            snprintf(r->zone_key, sizeof(r->zone_key), "%s", r->zone_name);
        }
    }
    if (route->body == BODY_ZONEFILE) {
        h2o_iovec_t mt = media_type(req);
        if (req->entity.len > t->cfg->max_body) {
            reply_fail(r, DNSAPI_EBADREQ, "payload_too_large", NULL,
                       "the request body is larger than %zu bytes", t->cfg->max_body);
            return 0;
        }
        if (!h2o_lcstris(mt.base, mt.len, H2O_STRLIT("text/dns")) &&
            !h2o_lcstris(mt.base, mt.len, H2O_STRLIT("text/plain"))) {
            reply_fail(r, DNSAPI_EBADREQ, "unsupported_media_type", NULL,
                       "send the master file with 'Content-Type: text/dns'");
            return 0;
        }
    }
    if (route->body == BODY_JSON) {
        if (req->entity.len > t->cfg->max_body) {
            reply_fail(r, DNSAPI_EBADREQ, "payload_too_large", NULL,
                       "the request body is larger than %zu bytes", t->cfg->max_body);
            return 0;
        }
        if (!is_json_media_type(req)) {
            reply_fail(r, DNSAPI_EBADREQ, "unsupported_media_type", NULL,
                       "send the body as JSON with 'Content-Type: application/json'");
            return 0;
        }
        if (json_depth(req->entity.base, req->entity.len) > JSON_MAX_DEPTH) {
            reply_fail(r, DNSAPI_EBADREQ, "bad_request", NULL,
                       "the body nests deeper than %d levels", JSON_MAX_DEPTH);
            return 0;
        }
        json_error_t jerr;
        r->body = json_loadb(req->entity.base != NULL ? req->entity.base : "", req->entity.len,
                             JSON_REJECT_DUPLICATES, &jerr);
        if (r->body == NULL) {
            reply_fail(r, DNSAPI_EBADREQ, "bad_request", NULL,
                       "the body is not valid JSON: %s (line %d, column %d)", jerr.text, jerr.line,
                       jerr.column);
            return 0;
        }
        if (!json_is_object(r->body)) {
            reply_fail(r, DNSAPI_EBADREQ, "bad_request", NULL, "the body must be a JSON object");
            return 0;
        }
    }
    if (h2o_memis(req->method.base, req->method.len, H2O_STRLIT("POST")) && r->authed &&
        route->fn != handle_token_create) {
        idem_begin(r, route->fn);
    } else {
        route->fn(r);
    }
    return 0;
}

void router_register(h2o_hostconf_t *host)
{
    h2o_pathconf_t *pathconf = h2o_config_register_path(host, "/", 0);
    h2o_handler_t *handler = h2o_create_handler(pathconf, sizeof(*handler));
    handler->on_req = on_req;
}
