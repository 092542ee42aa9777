/* Answer bodies and the error mapping (see reply.h). */
#include "api/reply.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *reply_reason(int status)
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

const char *reply_top_code(const dnsapi_err_t *err)
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

static json_t *str_safe(const char *s)
{
    json_t *v = json_string(s);
    return v != NULL ? v : json_string("(not UTF-8)");
}

static void dump_into(strbuf_t *b, json_t *doc)
{
    char *s = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    if (s == NULL) {
        strbuf_reset(b);
        strbuf_adds(b, "{\"status\":\"error\",\"error\":{\"code\":\"internal_error\","
                       "\"message\":\"the answer could not be encoded\"}}");
        return;
    }
    strbuf_adds(b, s);
    free(s);
}

void reply_success_body(strbuf_t *b, json_t *data)
{
    json_t *doc = json_object();
    json_object_set_new(doc, "status", json_string("success"));
    json_object_set_new(doc, "data", data != NULL ? data : json_object());
    dump_into(b, doc);
}

void reply_success_raw_body(strbuf_t *b, const char *data, size_t len)
{
    strbuf_adds(b, "{\"status\":\"success\",\"data\":");
    strbuf_add(b, data, len);
    strbuf_add(b, "}", 1);
}

/* One entry of details[]: an entry of a list is named by its place
 * ("posts[2].content"), and its message says so too. */
static json_t *detail(const dns_problem_t *p)
{
    const dnsapi_err_t *err = &p->err;
    const dns_op_t *op = p->op;
    json_t *d = json_object();
    char field[128], msg[sizeof(err->message) + 96];
    if (op != NULL && op->list != NULL) {
        snprintf(field, sizeof(field), "%s[%zu]%s%s", op->list, op->index, err->field[0] ? "." : "",
                 err->field);
        if (op->line > 0 && strncmp(err->message, "line ", 5) != 0) {
            snprintf(msg, sizeof(msg), "%s[%zu]: line %u: %s", op->list, op->index, op->line,
                     err->message);
        } else {
            snprintf(msg, sizeof(msg), "%s[%zu]: %s", op->list, op->index, err->message);
        }
    } else {
        snprintf(field, sizeof(field), "%s", err->field[0] ? err->field : "body");
        snprintf(msg, sizeof(msg), "%s",
                 err->message[0] ? err->message : dnsapi_strerror(err->status));
    }
    json_object_set_new(d, "field", str_safe(field));
    json_object_set_new(d, "code", json_string(err->code[0] ? err->code : reply_top_code(err)));
    json_object_set_new(d, "message", str_safe(msg));
    if (op != NULL && op->list != NULL) {
        json_object_set_new(d, "index", json_integer((json_int_t)op->index));
    }
    if (op != NULL && op->line > 0) {
        json_object_set_new(d, "line", json_integer(op->line));
    }
    if (p->existing_id[0] != '\0') {
        json_object_set_new(d, "existing_id", json_string(p->existing_id));
    }
    if (p->expected_ttl >= 0) {
        json_object_set_new(d, "expected_ttl", json_integer(p->expected_ttl));
    }
    return d;
}

static bool wants_details(const dns_problem_t *p)
{
    return p->err.status == DNSAPI_EINVAL || (p->op != NULL && p->op->list != NULL) ||
           p->existing_id[0] != '\0' || p->expected_ttl >= 0;
}

static void envelope(strbuf_t *b, const dns_problem_t *problems, size_t n, size_t more)
{
    const dnsapi_err_t *first = &problems[0].err;
    json_t *e = json_object();
    json_object_set_new(e, "code", json_string(reply_top_code(first)));
    json_t *d0 = wants_details(&problems[0]) ? detail(&problems[0]) : NULL;
    const char *msg = d0 != NULL
                          ? json_string_value(json_object_get(d0, "message"))
                          : (first->message[0] ? first->message : dnsapi_strerror(first->status));
    if (n + more > 1) {
        char buf[512];
        snprintf(buf, sizeof(buf), "%s (and %zu more problems: see details)", msg, n + more - 1);
        json_object_set_new(e, "message", str_safe(buf));
    } else {
        json_object_set_new(e, "message", str_safe(msg));
    }
    bool any = false;
    for (size_t i = 0; i < n && !any; i++) {
        any = wants_details(&problems[i]);
    }
    if (any) {
        json_t *details = json_array();
        for (size_t i = 0; i < n; i++) {
            json_array_append_new(details,
                                  i == 0 && d0 != NULL ? json_incref(d0) : detail(&problems[i]));
        }
        json_object_set_new(e, "details", details);
        if (more > 0) {
            json_object_set_new(e, "more_problems", json_integer((json_int_t)more));
        }
    }
    json_decref(d0);
    json_t *doc = json_object();
    json_object_set_new(doc, "status", json_string("error"));
    json_object_set_new(doc, "error", e);
    dump_into(b, doc);
}

void reply_error_body(strbuf_t *b, const dnsapi_err_t *err)
{
    dns_problem_t p;
    memset(&p, 0, sizeof(p));
    p.err = *err;
    p.expected_ttl = -1;
    envelope(b, &p, 1, 0);
}

int reply_report_body(strbuf_t *b, const dns_report_t *rep)
{
    if (rep->n_errors == 0) {
        dnsapi_err_t err;
        dnsapi_err_set(&err, DNSAPI_EINTERNAL, NULL, NULL, "the change failed");
        reply_error_body(b, &err);
        return 500;
    }
    envelope(b, rep->errors, rep->n_errors, rep->more_errors);
    return reply_http_status(&rep->errors[0].err);
}
