#include "api/reply.h"

#include "api/idempotency.h"

#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static const char *reason_of(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 204:
        return "No Content";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 409:
        return "Conflict";
    case 413:
        return "Payload Too Large";
    case 415:
        return "Unsupported Media Type";
    case 422:
        return "Unprocessable Entity";
    case 429:
        return "Too Many Requests";
    case 503:
        return "Service Unavailable";
    default:
        return "Internal Server Error";
    }
}

/* One JSON line per request on stdout. */
static void access_log(api_req_t *r, int status, size_t bytes)
{
    h2o_req_t *req = r->req;
    json_t *line = json_object();
    char ts[32];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
    json_object_set_new(line, "ts", json_string(ts));
    json_object_set_new(line, "request_id", json_string(r->request_id));
    json_object_set_new(line, "method", json_stringn(req->method.base, req->method.len));
    size_t plen = req->query_at != SIZE_MAX ? req->query_at : req->path.len;
    json_t *path = json_stringn(req->path.base, plen);
    json_object_set_new(line, "path", path != NULL ? path : json_string("(not utf-8)"));
    json_object_set_new(line, "status", json_integer(status));
    json_object_set_new(line, "bytes", json_integer((json_int_t)bytes));
    json_object_set_new(line, "duration_ms", json_real((double)(now_ns() - r->start_ns) / 1e6));
    if (r->authed) {
        json_object_set_new(line, "account", json_string(r->token.account_id));
        json_object_set_new(line, "token", json_string(r->token.token_id));
    }
    char *s = json_dumps(line, JSON_COMPACT);
    if (s != NULL) {
        fprintf(stdout, "%s\n", s);
        fflush(stdout);
        free(s);
    }
    json_decref(line);
}

bool reply_cors(api_req_t *r)
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
                          H2O_STRLIT("X-Request-Id, Retry-After, WWW-Authenticate"));
    return true;
}

static void send_body(api_req_t *r, int status, const char *content_type, const char *body,
                      size_t len)
{
    h2o_req_t *req = r->req;
    if (req == NULL || r->responded) {
        return;
    }
    r->responded = true;
    req->res.status = status;
    req->res.reason = reason_of(status);
    req->res.content_length = len;
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, content_type,
                   strlen(content_type));
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-request-id"), 0, NULL,
                          r->request_id, strlen(r->request_id));
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL,
                   H2O_STRLIT("no-store"));
    reply_cors(r);
    int cls = status / 100;
    if (cls >= 1 && cls <= 5) {
        r->thread->responses_by_class[cls]++;
    }
    if (r->idem_claimed && status >= 200 && status <= 299) {
        /* kept under its Idempotency-Key first, sent once kept */
        idem_store_then_send(r, status, body, len);
        return;
    }
    reply_send_now(r, status, body, len);
}

void reply_send_now(api_req_t *r, int status, const char *body, size_t len)
{
    access_log(r, status, len);
    h2o_send_inline(r->req, body, len);
}

void reply_text(api_req_t *r, int status, const char *content_type, const char *body, size_t len)
{
    send_body(r, status, content_type, body, len);
}

static void send_json(api_req_t *r, int status, json_t *doc)
{
    char *s = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    if (s == NULL) {
        send_body(r, 500, "application/json",
                  H2O_STRLIT("{\"status\":\"error\",\"error\":{\"code\":\"internal_error\","
                             "\"message\":\"the response could not be encoded\"}}"));
        return;
    }
    send_body(r, status, "application/json", s, strlen(s));
    free(s);
}

void reply_success_raw(api_req_t *r, int status, const char *data, size_t len)
{
    static const char head[] = "{\"status\":\"success\",\"data\":";
    size_t total = sizeof(head) - 1 + len + 1;
    char *body = malloc(total);
    if (body == NULL) {
        send_body(r, 500, "application/json",
                  H2O_STRLIT("{\"status\":\"error\",\"error\":{\"code\":\"internal_error\","
                             "\"message\":\"out of memory\"}}"));
        return;
    }
    memcpy(body, head, sizeof(head) - 1);
    memcpy(body + sizeof(head) - 1, data, len);
    body[total - 1] = '}';
    send_body(r, status, "application/json", body, total);
    free(body);
}

void reply_success(api_req_t *r, int status, json_t *data)
{
    json_t *doc = json_object();
    json_object_set_new(doc, "status", json_string("success"));
    json_object_set_new(doc, "data", data != NULL ? data : json_object());
    send_json(r, status, doc);
}

int reply_http_status(const dnsapi_err_t *err)
{
    switch (err->status) {
    case DNSAPI_EINVAL:
        return 422;
    case DNSAPI_ENOTFOUND:
        return 404;
    case DNSAPI_ECONFLICT:
        return 409;
    case DNSAPI_EAUTH:
        return 401;
    case DNSAPI_EFORBIDDEN:
    case DNSAPI_ESYSTEM:
        return 403;
    case DNSAPI_EDB:
    case DNSAPI_ETIMEOUT:
    case DNSAPI_EBUSY:
        return 503;
    case DNSAPI_EBADREQ:
        if (strcmp(err->code, "payload_too_large") == 0) {
            return 413;
        }
        if (strcmp(err->code, "unsupported_media_type") == 0) {
            return 415;
        }
        if (strcmp(err->code, "method_not_allowed") == 0) {
            return 405;
        }
        if (strcmp(err->code, "rate_limited") == 0) {
            return 429;
        }
        return 400;
    default:
        return 500;
    }
}

static const char *top_code(const dnsapi_err_t *err)
{
    switch (err->status) {
    case DNSAPI_EINVAL:
        return "validation_failed";
    case DNSAPI_ENOTFOUND:
        return "not_found";
    case DNSAPI_ECONFLICT:
        return err->code[0] ? err->code : "duplicate";
    case DNSAPI_EAUTH:
        return err->code[0] ? err->code : "unauthorized";
    case DNSAPI_EFORBIDDEN:
        return "insufficient_scope";
    case DNSAPI_ESYSTEM:
        return "system_record";
    case DNSAPI_EDB:
    case DNSAPI_ETIMEOUT:
    case DNSAPI_EBUSY:
        return "unavailable";
    case DNSAPI_EBADREQ:
        return err->code[0] ? err->code : "bad_request";
    default:
        return "internal_error";
    }
}

void reply_error(api_req_t *r, const dnsapi_err_t *err)
{
    reply_error_at(r, err, -1);
}

void reply_error_at(api_req_t *r, const dnsapi_err_t *err, long index)
{
    h2o_req_t *req = r->req;
    if (req == NULL || r->responded) {
        return;
    }
    int status = reply_http_status(err);
    json_t *e = json_object();
    json_object_set_new(e, "code", json_string(top_code(err)));
    const char *msg = err->message[0] ? err->message : dnsapi_strerror(err->status);
    json_t *m = json_string(msg);
    json_object_set_new(e, "message", m != NULL ? m : json_string(dnsapi_strerror(err->status)));
    if (err->status == DNSAPI_EINVAL || index >= 0) {
        json_t *d = json_object();
        json_object_set_new(d, "field", json_string(err->field[0] ? err->field : "body"));
        json_object_set_new(d, "code", json_string(err->code[0] ? err->code : top_code(err)));
        json_t *dm = json_string(msg); /* NULL when msg is not UTF-8 */
        json_object_set_new(d, "message", dm != NULL ? dm : json_string(""));
        if (index >= 0) {
            json_object_set_new(d, "index", json_integer(index));
        }
        json_t *details = json_array();
        json_array_append_new(details, d);
        json_object_set_new(e, "details", details);
    }
    if (status == 401) {
        if (strcmp(top_code(err), "invalid_token") == 0) {
            h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_WWW_AUTHENTICATE, NULL,
                           H2O_STRLIT("Bearer error=\"invalid_token\""));
        } else {
            h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_WWW_AUTHENTICATE, NULL,
                           H2O_STRLIT("Bearer"));
        }
    } else if (status == 403 && err->status == DNSAPI_EFORBIDDEN) {
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_WWW_AUTHENTICATE, NULL,
                       H2O_STRLIT("Bearer error=\"insufficient_scope\""));
    } else if (status == 503 || status == 429) {
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_RETRY_AFTER, NULL, H2O_STRLIT("1"));
    } else if (status == 405 && err->field[0] != '\0') {
        /* for 405 the field carries the Allow list */
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_ALLOW, NULL, err->field,
                       strlen(err->field));
        json_object_del(e, "details");
    }
    json_t *doc = json_object();
    json_object_set_new(doc, "status", json_string("error"));
    json_object_set_new(doc, "error", e);
    send_json(r, status, doc);
}

void reply_fail(api_req_t *r, int status, const char *code, const char *field, const char *fmt, ...)
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
    reply_error(r, &err);
}

void reply_db_error(api_req_t *r, int status, const PGresult *res, const char *conflict_code)
{
    if (status == DNSAPI_EBUSY) {
        reply_fail(r, DNSAPI_EBUSY, NULL, NULL,
                   "the server is busy; retry after the time in Retry-After");
        return;
    }
    if (res == NULL) {
        reply_fail(r, DNSAPI_EDB, NULL, NULL,
                   "the database is unavailable; retry after the time in Retry-After");
        return;
    }
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    const char *constraint = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);
    if (state != NULL && strcmp(state, "23505") == 0 && constraint != NULL &&
        strcmp(constraint, "idempotency_keys_pkey") == 0) {
        /* another request with the same key committed first */
        reply_fail(r, DNSAPI_ECONFLICT, "idempotency_key_in_use", NULL,
                   "another request with this Idempotency-Key was applied first; retry to get "
                   "its answer");
        return;
    }
    if (state != NULL && strcmp(state, "23505") == 0) {
        reply_fail(r, DNSAPI_ECONFLICT, conflict_code != NULL ? conflict_code : "duplicate", NULL,
                   "%s",
                   conflict_code != NULL && strcmp(conflict_code, "zone_exists") == 0
                       ? "a zone of that name already exists"
                       : "an identical record already exists");
        return;
    }
    if (state != NULL && strcmp(state, "DA001") == 0) {
        reply_fail(r, DNSAPI_ESYSTEM, "system_record", NULL,
                   "the SOA and the apex NS set are system records managed by dnsapi and cannot "
                   "be created, changed or deleted; NS records for subdomains are allowed");
        return;
    }
    if (state != NULL && strcmp(state, "DA002") == 0) {
        reply_fail(r, DNSAPI_EAUTH, "invalid_token", NULL,
                   "the bearer token has been revoked or has expired; mint a new one");
        return;
    }
    if (state != NULL && (strncmp(state, "22", 2) == 0 || strncmp(state, "23", 2) == 0)) {
        /* data or constraint errors the validation should have caught */
        fprintf(stderr, "{\"level\":\"warn\",\"request_id\":\"%s\",\"sqlstate\":\"%s\"}\n",
                r->request_id, state);
        reply_fail(r, DNSAPI_EINVAL, "invalid", NULL, "the database refused the value");
        return;
    }
    fprintf(stderr, "{\"level\":\"error\",\"request_id\":\"%s\",\"sqlstate\":\"%s\"}\n",
            r->request_id, state != NULL ? state : "");
    reply_fail(r, DNSAPI_EDB, NULL, NULL,
               "the database could not complete the request; retry after the time in "
               "Retry-After");
}
