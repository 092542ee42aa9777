#include "api/view.h"

#include <stdlib.h>
#include <string.h>

#include "dns/dns.h"

static json_t *col_string(const PGresult *res, int row, int col)
{
    if (PQgetisnull(res, row, col)) {
        return json_null();
    }
    json_t *s = json_stringn(PQgetvalue(res, row, col), (size_t)PQgetlength(res, row, col));
    return s != NULL ? s : json_string("");
}

json_t *view_int_or_null(const PGresult *res, int row, int col)
{
    if (PQgetisnull(res, row, col)) {
        return json_null();
    }
    return json_integer(strtoll(PQgetvalue(res, row, col), NULL, 10));
}

static json_t *col_json(const PGresult *res, int row, int col)
{
    if (PQgetisnull(res, row, col)) {
        return json_null();
    }
    json_t *v = json_loadb(PQgetvalue(res, row, col), (size_t)PQgetlength(res, row, col),
                           JSON_DECODE_ANY, NULL);
    return v != NULL ? v : json_null();
}

json_t *view_zone(const PGresult *res, int row)
{
    json_t *z = json_object();
    json_object_set_new(z, "id", col_string(res, row, 0));
    json_object_set_new(z, "name", col_string(res, row, 1));
    json_object_set_new(z, "serial", view_int_or_null(res, row, 2));
    json_object_set_new(z, "published_serial", view_int_or_null(res, row, 3));
    bool published =
        !PQgetisnull(res, row, 3) && strcmp(PQgetvalue(res, row, 2), PQgetvalue(res, row, 3)) == 0;
    json_object_set_new(z, "status", json_string(published ? "published" : "pending"));
    json_object_set_new(z, "nameservers", col_json(res, row, 4));
    json_object_set_new(z, "created_at", col_string(res, row, 5));
    json_object_set_new(z, "updated_at", col_string(res, row, 6));
    return z;
}

json_t *view_record(const PGresult *res, int row)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", col_string(res, row, 0));
    json_object_set_new(o, "name", col_string(res, row, 1));
    json_object_set_new(o, "type", col_string(res, row, 2));
    json_object_set_new(o, "content", col_string(res, row, 3));
    json_object_set_new(o, "ttl", view_int_or_null(res, row, 4));
    if (!PQgetisnull(res, row, 5)) {
        json_object_set_new(o, "priority", view_int_or_null(res, row, 5));
    }
    json_object_set_new(o, "disabled", json_boolean(PQgetvalue(res, row, 6)[0] == 't'));
    json_object_set_new(o, "system", json_boolean(PQgetvalue(res, row, 7)[0] == 't'));
    json_object_set_new(o, "comment", col_string(res, row, 8));
    json_object_set_new(o, "created_at", col_string(res, row, 9));
    json_object_set_new(o, "updated_at", col_string(res, row, 10));
    return o;
}

json_t *view_token(const PGresult *res, int row)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", col_string(res, row, 0));
    json_object_set_new(o, "name", col_string(res, row, 1));
    json_t *scopes = json_array();
    const char *s = PQgetvalue(res, row, 2);
    while (*s != '\0') {
        size_t len = strcspn(s, " ");
        if (len > 0) {
            json_array_append_new(scopes, json_stringn(s, len));
        }
        s += len;
        while (*s == ' ') {
            s++;
        }
    }
    json_object_set_new(o, "scopes", scopes);
    json_object_set_new(o, "zones", col_json(res, row, 3));
    json_object_set_new(o, "expires_at", col_string(res, row, 4));
    json_object_set_new(o, "created_at", col_string(res, row, 5));
    json_object_set_new(o, "revoked_at", col_string(res, row, 6));
    return o;
}

json_t *view_pagination(long long total, long long offset, long long limit, long long count,
                        bool has_more, const char *next_cursor)
{
    json_t *p = json_object();
    json_object_set_new(p, "total", json_integer(total));
    json_object_set_new(p, "offset", json_integer(offset));
    json_object_set_new(p, "limit", json_integer(limit));
    json_object_set_new(p, "count", json_integer(count));
    json_object_set_new(p, "has_more", json_boolean(has_more));
    json_object_set_new(p, "next_cursor", next_cursor ? json_string(next_cursor) : json_null());
    return p;
}

static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

char *view_cursor_encode(const char *const *fields, int n)
{
    json_t *arr = json_array();
    for (int i = 0; i < n; i++) {
        json_array_append_new(arr, json_string(fields[i]));
    }
    char *js = json_dumps(arr, JSON_COMPACT);
    json_decref(arr);
    if (js == NULL) {
        return NULL;
    }
    size_t len = strlen(js);
    char *out = malloc(len * 4 / 3 + 4);
    size_t o = 0;
    for (size_t i = 0; i < len; i += 3) {
        unsigned v = (unsigned char)js[i] << 16;
        if (i + 1 < len) {
            v |= (unsigned char)js[i + 1] << 8;
        }
        if (i + 2 < len) {
            v |= (unsigned char)js[i + 2];
        }
        out[o++] = b64url[(v >> 18) & 63];
        out[o++] = b64url[(v >> 12) & 63];
        if (i + 1 < len) {
            out[o++] = b64url[(v >> 6) & 63];
        }
        if (i + 2 < len) {
            out[o++] = b64url[v & 63];
        }
    }
    out[o] = '\0';
    free(js);
    return out;
}

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

int view_paging_parse(api_req_t *r, view_paging_t *p, int ncursor, dnsapi_err_t *err)
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

static bool in_list(const char *key, const char *const *list)
{
    for (size_t i = 0; list != NULL && list[i] != NULL; i++) {
        if (strcmp(key, list[i]) == 0) {
            return true;
        }
    }
    return false;
}

int view_body_check_fields(json_t *body, const char *const *allowed, const char *const *immutable,
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

int view_body_string(json_t *body, const char *key, bool required, bool nullable, const char **out,
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

int view_body_int(json_t *body, const char *key, bool required, long long min, long long max,
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

int view_body_bool(json_t *body, const char *key, bool *out, dnsapi_err_t *err)
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

void view_buf_add(view_buf_t *b, const char *s, size_t len)
{
    if (b->failed) {
        return;
    }
    if (b->len + len + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (b->len + len + 1 > cap) {
            cap *= 2;
        }
        char *np = realloc(b->p, cap);
        if (np == NULL) {
            b->failed = true;
            return;
        }
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, len);
    b->len += len;
}

void view_buf_add_json_string(view_buf_t *b, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    size_t start = 0;
    view_buf_add(b, "\"", 1);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') {
            continue;
        }
        view_buf_add(b, s + start, i - start);
        if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            view_buf_add(b, esc, 2);
        } else {
            char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            view_buf_add(b, esc, 6);
        }
        start = i + 1;
    }
    view_buf_add(b, s + start, len - start);
    view_buf_add(b, "\"", 1);
}

#define BUF_LIT(b, s) view_buf_add((b), (s), sizeof(s) - 1)

static void buf_col_string(view_buf_t *b, const PGresult *res, int row, int col)
{
    if (PQgetisnull(res, row, col)) {
        BUF_LIT(b, "null");
    } else {
        view_buf_add_json_string(b, PQgetvalue(res, row, col), (size_t)PQgetlength(res, row, col));
    }
}

static void buf_col_raw(view_buf_t *b, const PGresult *res, int row, int col)
{
    if (PQgetisnull(res, row, col)) {
        BUF_LIT(b, "null");
    } else {
        view_buf_add(b, PQgetvalue(res, row, col), (size_t)PQgetlength(res, row, col));
    }
}

void view_records_write(view_buf_t *b, const PGresult *res, int count)
{
    BUF_LIT(b, "[");
    for (int i = 0; i < count; i++) {
        if (i > 0) {
            BUF_LIT(b, ",");
        }
        BUF_LIT(b, "{\"id\":");
        buf_col_string(b, res, i, 0);
        BUF_LIT(b, ",\"name\":");
        buf_col_string(b, res, i, 1);
        BUF_LIT(b, ",\"type\":");
        buf_col_string(b, res, i, 2);
        BUF_LIT(b, ",\"content\":");
        buf_col_string(b, res, i, 3);
        BUF_LIT(b, ",\"ttl\":");
        buf_col_raw(b, res, i, 4);
        if (!PQgetisnull(res, i, 5)) {
            BUF_LIT(b, ",\"priority\":");
            buf_col_raw(b, res, i, 5);
        }
        if (PQgetvalue(res, i, 6)[0] == 't') {
            BUF_LIT(b, ",\"disabled\":true");
        } else {
            BUF_LIT(b, ",\"disabled\":false");
        }
        if (PQgetvalue(res, i, 7)[0] == 't') {
            BUF_LIT(b, ",\"system\":true");
        } else {
            BUF_LIT(b, ",\"system\":false");
        }
        BUF_LIT(b, ",\"comment\":");
        buf_col_string(b, res, i, 8);
        BUF_LIT(b, ",\"created_at\":");
        buf_col_string(b, res, i, 9);
        BUF_LIT(b, ",\"updated_at\":");
        buf_col_string(b, res, i, 10);
        BUF_LIT(b, "}");
    }
    BUF_LIT(b, "]");
}
