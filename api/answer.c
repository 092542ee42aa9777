/*
 * answer.c - the finishing and sending stages of the request lifecycle
 * (see api.h): every answer, success or error, leaves through send_answer,
 * which adds what every answer gets - the request id, no-store, the
 * RateLimit-* headers when limits are on, CORS for an allowed origin - counts it in the metrics and
 * writes the access log line, once. A keyed write's answer is committed with the write before it is
 * sent (api_answer_tx).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netdb.h>
#include <time.h>

#include "api/api.h"
#include "api/lifecycle.h"
#include "api/metrics.h"
#include "api/reply.h"
#include "api/router.h"
#include "common/log.h"
#include "storage/store_tx.h"

static const char cors_exposed[] = "X-Request-Id, Retry-After, WWW-Authenticate, Allow, "
                                   "Location, Idempotent-Replayed, RateLimit-Limit, "
                                   "RateLimit-Remaining, RateLimit-Reset, RateLimit-Policy";

/* ---- send: what every answer gets -------------------------------------------- */

/* Adds the CORS headers for an allowed Origin; true when allowed. */
bool api_cors_apply(api_req_t *r)
{
    h2o_req_t *req = r->req;
    const dnsapi_config_t *cfg = r->thread->cfg;
    ssize_t i = h2o_find_header_by_str(&req->headers, H2O_STRLIT("origin"), -1);
    if (i < 0 || cfg->n_cors_origins == 0) {
        return false;
    }
    h2o_iovec_t origin = req->headers.entries[i].value;
    bool allowed = false;
    for (size_t k = 0; k < cfg->n_cors_origins && !allowed; k++) {
        const char *o = cfg->cors_origins[k];
        allowed = strcmp(o, "*") == 0 || h2o_memis(origin.base, origin.len, o, strlen(o));
    }
    if (!allowed) {
        return false;
    }
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_ACCESS_CONTROL_ALLOW_ORIGIN, NULL,
                   origin.base, origin.len);
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_VARY, NULL, H2O_STRLIT("Origin"));
    h2o_add_header_by_str(&req->pool, &req->res.headers,
                          H2O_STRLIT("access-control-expose-headers"), 0, NULL,
                          H2O_STRLIT(cors_exposed));
    return true;
}

/* The RateLimit-* headers of a request counted against a budget (the
 * fields of the IETF httpapi draft's first form, documented in
 * openapi.yaml): the burst, what is left of it, the seconds until it is
 * whole again, and the budget's policy. */
static void rate_headers(api_req_t *r)
{
    if (!r->rate_counted) {
        return;
    }
    h2o_req_t *req = r->req;
    const ratelimit_result_t *res = &r->rate_res;
    const dnsapi_rate_t *rate = &r->thread->cfg->rate[r->rate_budget];
    char *v = h2o_mem_alloc_pool(&req->pool, 3 * 24 + 96);
    char *lim = v, *rem = v + 24, *reset = v + 48, *policy = v + 72;
    snprintf(lim, 24, "%u", res->limit);
    snprintf(rem, 24, "%u", res->remaining);
    snprintf(reset, 24, "%llu", (unsigned long long)ratelimit_seconds(res->reset_ns));
    snprintf(policy, 96, "%u;w=%u;burst=%u;budget=\"%s\"", rate->n, rate->unit_s, rate->burst,
             dnsapi_rate_budget_name(r->rate_budget));
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("ratelimit-limit"), 0, NULL,
                          lim, strlen(lim));
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("ratelimit-remaining"), 0, NULL,
                          rem, strlen(rem));
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("ratelimit-reset"), 0, NULL,
                          reset, strlen(reset));
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("ratelimit-policy"), 0, NULL,
                          policy, strlen(policy));
}

/* One JSON line per request on stdout (common/log.c). */
static void access_log(api_req_t *r, int status, size_t bytes, uint64_t dur_ns)
{
    h2o_req_t *req = r->req;
    char addr[NI_MAXHOST] = "";
    struct sockaddr_storage sa;
    socklen_t salen = req->conn->callbacks->get_peername(req->conn, (void *)&sa);
    if (salen > 0) {
        h2o_socket_getnumerichost((void *)&sa, salen, addr);
    }
    size_t plen = req->query_at != SIZE_MAX ? req->query_at : req->path.len;
    log_access_t a = {
        .request_id = r->request_id,
        .method = req->method.base,
        .method_len = req->method.len,
        .route = r->route != NULL ? r->route->template : NULL,
        .path = req->path.base,
        .path_len = plen,
        .status = status,
        .error_code = r->error_code[0] != '\0' ? r->error_code : NULL,
        .client = addr[0] != '\0' ? addr : NULL,
        .account = r->authed ? r->token.account_id : NULL,
        .token_id = r->authed ? r->token.token_id : NULL,
        .duration_ms = (double)dur_ns / 1e6,
        .bytes = bytes,
    };
    log_access_write(&a);
}

static void send_answer(api_req_t *r, int status, const char *content_type, const char *body,
                        size_t len)
{
    h2o_req_t *req = r->req;
    if (req == NULL || r->answered) {
        return;
    }
    r->answered = true;
    req->res.status = status;
    req->res.reason = reply_reason(status);
    req->res.content_length = len;
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, content_type,
                   strlen(content_type));
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-request-id"), 0, NULL,
                          r->request_id, strlen(r->request_id));
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL,
                   H2O_STRLIT("no-store"));
    rate_headers(r);
    api_cors_apply(r);
    uint64_t dur = api_now_ns() - r->start_ns;
    api_thread_t *t = r->thread;
    api_metrics_count(t->metrics, r->route != NULL ? (int)(r->route - router_route(0)) : -1, status,
                      dur);
    db_pool_stats_t st;
    db_pool_stats(t->db, &st);
    api_metrics_publish(t->metrics, &st);
    access_log(r, status, len, dur);
    h2o_send_inline(req, body, len);
}

static void send_json(api_req_t *r, int status, strbuf_t *b)
{
    if (b->failed) {
        static const char oom[] = "{\"status\":\"error\",\"error\":{\"code\":\"internal_error\","
                                  "\"message\":\"out of memory\"}}";
        send_answer(r, 500, "application/json", oom, sizeof(oom) - 1);
    } else {
        send_answer(r, status, "application/json", strbuf_str(b), b->len);
    }
    strbuf_free(b);
}

/* ---- answers ------------------------------------------------------------------ */

void api_answer(api_req_t *r, int status, json_t *data)
{
    strbuf_t b = {0};
    reply_success_body(&b, data);
    send_json(r, status, &b);
}

void api_answer_raw(api_req_t *r, int status, const char *data, size_t len)
{
    strbuf_t b = {0};
    reply_success_raw_body(&b, data, len);
    send_json(r, status, &b);
}

void api_answer_text(api_req_t *r, int status, const char *content_type, const char *body,
                     size_t len)
{
    send_answer(r, status, content_type, body, len);
}

void api_answer_replay(api_req_t *r, int status, const char *body, size_t len)
{
    if (r->req != NULL) {
        h2o_add_header_by_str(&r->req->pool, &r->req->res.headers,
                              H2O_STRLIT("idempotent-replayed"), 0, NULL, H2O_STRLIT("true"));
    }
    send_answer(r, status, "application/json", body, len);
}

/* The finishing stage of a keyed write: the answer is committed with the
 * write, then sent. */
typedef struct {
    api_req_t *r;
    int status;
    strbuf_t body;
} pending_t;

static void on_committed(void *ctx, int status, const dnsapi_err_t *err)
{
    pending_t *p = ctx;
    api_req_t *r = p->r;
    if (api_resume(r)) {
        if (status == DNSAPI_OK) {
            send_json(r, p->status, &p->body);
        } else {
            /* not committed: nothing was written, a retry is safe */
            api_fail(r, err);
        }
    }
    strbuf_free(&p->body);
    free(p);
}

void api_answer_tx(api_req_t *r, store_tx_t *tx, int status, json_t *data)
{
    pending_t *p = calloc(1, sizeof(*p));
    if (p == NULL) {
        abort();
    }
    p->r = api_hold(r);
    p->status = status;
    reply_success_body(&p->body, data);
    if (p->body.failed) {
        store_tx_end(tx);
        dnsapi_err_t err;
        dnsapi_err_set(&err, DNSAPI_ENOMEM, NULL, NULL, "out of memory");
        on_committed(p, err.status, &err);
        return;
    }
    store_tx_commit(tx, status, strbuf_str(&p->body), p->body.len, on_committed, p);
}

/* Headers that go with an error status. */
static void error_headers(api_req_t *r, const dnsapi_err_t *err, int status)
{
    h2o_req_t *req = r->req;
    if (status == 401) {
        if (strcmp(reply_top_code(err), "invalid_token") == 0) {
            h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_WWW_AUTHENTICATE, NULL,
                           H2O_STRLIT("Bearer error=\"invalid_token\""));
        } else {
            h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_WWW_AUTHENTICATE, NULL,
                           H2O_STRLIT("Bearer"));
        }
    } else if (status == 403 && err->status == DNSAPI_EFORBIDDEN) {
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_WWW_AUTHENTICATE, NULL,
                       H2O_STRLIT("Bearer error=\"insufficient_scope\""));
    } else if (status == 429 && r->rate_counted) {
        char *wait = h2o_mem_alloc_pool(&req->pool, 24);
        snprintf(wait, 24, "%llu", (unsigned long long)ratelimit_seconds(r->rate_res.retry_ns));
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_RETRY_AFTER, NULL, wait,
                       strlen(wait));
    } else if (status == 503 || status == 429) {
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_RETRY_AFTER, NULL, H2O_STRLIT("1"));
        if (status == 503 && err->status != DNSAPI_EBUSY) {
            api_metrics_db_error(r->thread->metrics);
        }
    }
    snprintf(r->error_code, sizeof(r->error_code), "%s", reply_top_code(err));
}

void api_fail(api_req_t *r, const dnsapi_err_t *err)
{
    if (r->req == NULL || r->answered) {
        return;
    }
    int status = reply_http_status(err);
    error_headers(r, err, status);
    strbuf_t b = {0};
    reply_error_body(&b, err);
    send_json(r, status, &b);
}

void api_failf(api_req_t *r, int status, const char *code, const char *field, const char *fmt, ...)
{
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    err.status = status;
    snprintf(err.code, sizeof(err.code), "%s", code != NULL ? code : "");
    snprintf(err.field, sizeof(err.field), "%s", field != NULL ? field : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err.message, sizeof(err.message), fmt, ap);
    va_end(ap);
    api_fail(r, &err);
}

void api_fail_report(api_req_t *r, const dns_report_t *rep)
{
    if (r->req == NULL || r->answered) {
        return;
    }
    strbuf_t b = {0};
    int status = reply_report_body(&b, rep);
    if (rep->n_errors > 0) {
        error_headers(r, &rep->errors[0].err, status);
    }
    send_json(r, status, &b);
}
