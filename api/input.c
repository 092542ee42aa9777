/*
 * input.c - reading a request: query parameters, paging and cursors, JSON
 * body fields, the writable fields of a record.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/router.h"

/* The cursor alphabet (base64url without padding), shared with api/view.c. */
extern const char api_cursor_alphabet[];
#define b64url api_cursor_alphabet

static int b64val(char c)
{
    const char *p = strchr(b64url, c);
    return (c != '\0' && p != NULL) ? (int)(p - b64url) : -1;
}

/* Decodes a cursor into n strings in the request pool; -1 when malformed. */
static int cursor_decode(api_req_t *r, const char *text, char **fields, int n)
{
    size_t len = strlen(text);
    if (len == 0 || len > 4096) {
        return -1;
    }
    char *buf = h2o_mem_alloc_pool(&r->req->pool, len + 1);
    size_t o = 0;
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; i < len; i++) {
        int v = b64val(text[i]);
        if (v < 0) {
            return -1;
        }
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            buf[o++] = (char)((acc >> bits) & 0xff);
        }
    }
    json_t *arr = json_loadb(buf, o, 0, NULL);
    int rc = -1;
    if (arr != NULL && json_is_array(arr) && (int)json_array_size(arr) == n) {
        rc = 0;
        for (int i = 0; i < n; i++) {
            json_t *s = json_array_get(arr, (size_t)i);
            if (!json_is_string(s)) {
                rc = -1;
                break;
            }
            fields[i] = h2o_strdup(&r->req->pool, json_string_value(s), SIZE_MAX).base;
        }
    }
    json_decref(arr);
    return rc;
}

static int parse_count(const char *v, long long max, long long *out)
{
    if (v == NULL || *v == '\0' || strlen(v) > 12) {
        return -1;
    }
    long long x = 0;
    for (const char *p = v; *p; p++) {
        if (*p < '0' || *p > '9') {
            return -1;
        }
        x = x * 10 + (*p - '0');
    }
    if (x > max) {
        return -2;
    }
    *out = x;
    return 0;
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
            if (router_pct_decode(tmp, vlen, out, vlen + 1) != 0) {
                return "\x01"; /* malformed: callers refuse control characters */
            }
            return out;
        }
        q = pend + 1;
    }
    return NULL;
}

int api_query_bool(api_req_t *r, const char *key, bool *out, dnsapi_err_t *err)
{
    const char *v = api_query_get(r, key);
    *out = false;
    if (v == NULL) {
        return DNSAPI_OK;
    }
    if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0) {
        *out = true;
        return DNSAPI_OK;
    }
    if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0) {
        return DNSAPI_OK;
    }
    return dnsapi_err_set(err, DNSAPI_EINVAL, "out_of_range", key, "%s must be true or false", key);
}

int api_paging_parse(api_req_t *r, api_paging_t *p, int ncursor, dnsapi_err_t *err)
{
    memset(p, 0, sizeof(*p));
    p->limit = 50;
    const char *v = api_query_get(r, "limit");
    if (v != NULL) {
        int rc = parse_count(v, 1000, &p->limit);
        if (rc != 0 || p->limit < 1) {
            return dnsapi_err_set(err, DNSAPI_EINVAL, rc == -2 ? "out_of_range" : "wrong_type",
                                  "limit", "limit must be a whole number from 1 to 1000");
        }
    }
    v = api_query_get(r, "offset");
    if (v != NULL && parse_count(v, 1000000000, &p->offset) != 0) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "wrong_type", "offset",
                              "offset must be a whole number from 0");
    }
    v = api_query_get(r, "cursor");
    if (v != NULL && *v != '\0') {
        if (ncursor == 0 || cursor_decode(r, v, p->cursor, ncursor) != 0) {
            return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_cursor", "cursor",
                                  "cursor is not one this server handed out; start again "
                                  "without it");
        }
        p->has_cursor = true;
    }
    return DNSAPI_OK;
}

size_t api_page_count(const api_paging_t *p, size_t n, bool *has_more)
{
    *has_more = (long long)n > p->limit;
    return *has_more ? (size_t)p->limit : n;
}

#define JSON_MAX_DEPTH 32

/* The deepest nesting of arrays and objects in a JSON text, not counting
 * brackets inside strings: refusing deep documents before parsing keeps
 * the parser's work bounded. */
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

int api_body_json_parse(const char *buf, size_t len, json_t **out, dnsapi_err_t *err)
{
    *out = NULL;
    if (json_depth(buf != NULL ? buf : "", len) > JSON_MAX_DEPTH) {
        return dnsapi_err_set(err, DNSAPI_EBADREQ, "bad_request", NULL,
                              "the body nests deeper than %d levels", JSON_MAX_DEPTH);
    }
    json_error_t jerr;
    json_t *body = json_loadb(buf != NULL ? buf : "", len, JSON_REJECT_DUPLICATES, &jerr);
    if (body == NULL) {
        return dnsapi_err_set(err, DNSAPI_EBADREQ, "bad_request", NULL,
                              "the body is not valid JSON: %s (line %d, column %d)", jerr.text,
                              jerr.line, jerr.column);
    }
    if (!json_is_object(body)) {
        json_decref(body);
        return dnsapi_err_set(err, DNSAPI_EBADREQ, "bad_request", NULL,
                              "the body must be a JSON object");
    }
    *out = body;
    return DNSAPI_OK;
}

static bool in_list(const char *key, const char *const *list)
{
    for (size_t i = 0; list != NULL && list[i] != NULL; i++) {
        if (strcmp(key, list[i]) == 0) {
            return true;
        }
    }
    return false;
}

int api_body_check_fields(json_t *body, const char *const *allowed, const char *const *immutable,
                          dnsapi_err_t *err)
{
    const char *key;
    json_t *value;
    json_object_foreach(body, key, value)
    {
        (void)value;
        if (in_list(key, immutable)) {
            return dnsapi_err_set(err, DNSAPI_EINVAL, "immutable_field", key,
                                  "%s cannot be changed; delete the record and create a new one",
                                  key);
        }
        if (!in_list(key, allowed)) {
            char shown[64];
            snprintf(shown, sizeof(shown), "%s", key);
            return dnsapi_err_set(err, DNSAPI_EINVAL, "unknown_field", shown, "unknown field '%s'",
                                  shown);
        }
    }
    return DNSAPI_OK;
}

int api_body_string(json_t *body, const char *key, bool required, bool nullable, const char **out,
                    dnsapi_err_t *err)
{
    json_t *v = json_object_get(body, key);
    if (v == NULL || (nullable && json_is_null(v))) {
        if (required) {
            dnsapi_err_set(err, DNSAPI_EINVAL, "missing_field", key, "%s is required", key);
            return -1;
        }
        *out = NULL;
        return 0;
    }
    if (!json_is_string(v)) {
        dnsapi_err_set(err, DNSAPI_EINVAL, "wrong_type", key, "%s must be a string", key);
        return -1;
    }
    *out = json_string_value(v);
    if (strlen(*out) != json_string_length(v)) {
        dnsapi_err_set(err, DNSAPI_EINVAL, "wrong_type", key, "%s must not contain NUL bytes", key);
        return -1;
    }
    return 1;
}

int api_body_int(json_t *body, const char *key, bool required, long long min, long long max,
                 long long *out, dnsapi_err_t *err)
{
    json_t *v = json_object_get(body, key);
    if (v == NULL || json_is_null(v)) {
        if (required) {
            dnsapi_err_set(err, DNSAPI_EINVAL, "missing_field", key, "%s is required", key);
            return -1;
        }
        return 0;
    }
    if (!json_is_integer(v)) {
        dnsapi_err_set(err, DNSAPI_EINVAL, "wrong_type", key, "%s must be a whole number", key);
        return -1;
    }
    long long x = json_integer_value(v);
    if (x < min || x > max) {
        dnsapi_err_set(err, DNSAPI_EINVAL,
                       strcmp(key, "ttl") == 0 ? "ttl_out_of_range" : "out_of_range", key,
                       "%s must be from %lld to %lld", key, min, max);
        return -1;
    }
    *out = x;
    return 1;
}

int api_body_bool(json_t *body, const char *key, bool *out, dnsapi_err_t *err)
{
    json_t *v = json_object_get(body, key);
    if (v == NULL) {
        return 0;
    }
    if (!json_is_boolean(v)) {
        dnsapi_err_set(err, DNSAPI_EINVAL, "wrong_type", key, "%s must be true or false", key);
        return -1;
    }
    *out = json_is_true(v);
    return 1;
}

int api_body_record_fields(json_t *obj, dns_fields_t *f, dnsapi_err_t *err)
{
    int rc;
    memset(f, 0, sizeof(*f));
    if (api_body_string(obj, "name", false, false, &f->name, err) < 0 ||
        api_body_string(obj, "type", false, false, &f->type, err) < 0 ||
        api_body_string(obj, "content", false, false, &f->content, err) < 0) {
        return err->status;
    }
    if ((rc = api_body_int(obj, "ttl", false, 0, 2147483647, &f->ttl, err)) < 0) {
        return err->status;
    }
    f->has_ttl = rc == 1;
    if ((rc = api_body_int(obj, "priority", false, 0, 65535, &f->priority, err)) < 0) {
        return err->status;
    }
    f->has_priority = rc == 1;
    if ((rc = api_body_bool(obj, "disabled", &f->disabled, err)) < 0) {
        return err->status;
    }
    f->has_disabled = rc == 1;
    if (api_body_string(obj, "comment", false, true, &f->comment, err) < 0) {
        return err->status;
    }
    f->has_comment = json_object_get(obj, "comment") != NULL;
    return DNSAPI_OK;
}

dns_limits_t api_limits(const api_req_t *r)
{
    dns_limits_t lim = {r->thread->cfg->ttl_min, r->thread->cfg->ttl_max};
    return lim;
}
