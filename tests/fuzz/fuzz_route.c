/*
 * fuzz_route.c - routes and query strings (router_match in api/router.h,
 * api_query_get, api_paging_parse and the paging cursor).
 *
 * Input: "METHOD RAW-PATH[?QUERY]\nF1\tF2\tF3". The route table is checked
 * against a reference read from openapi.yaml at start-up, so the router
 * must serve exactly the documented operations:
 *  - a path no documented template matches is -1; one that matches a
 *    template but not with this method is -2 with an Allow header listing
 *    exactly the documented methods (and OPTIONS); otherwise a route index
 *    that is always the same for the same operation and differs between
 *    operations;
 *  - templates match raw segments: literals exactly, parameters non-empty,
 *    percent-decoded (%XX only, no NUL, at most PARAM_MAX bytes), one
 *    trailing '/' tolerated; a literal template wins over a parameter;
 *  - zone_key and record_id are the decoded parameters (each at most
 *    PARAM_MAX bytes: a record id, token id or delegation name);
 *  - api_query_get answers what a reference parser of the query answers
 *    ('+' is a space, then %XX; a malformed value is "\x01");
 *  - api_paging_parse accepts exactly limit 1..1000 (50 when absent),
 *    offset 0..10^9 and a cursor this server encoded: F1..F3 encoded by
 *    view_cursor_encode come back from the query as they went in; a refusal
 *    is DNSAPI_EINVAL naming limit, offset or cursor.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <h2o.h>

#include "api/api.h"
#include "api/router.h"
#include "api/view.h"
#include "support.h"

#define MAX_OPS 64
#define MAX_SEGS 8
#define PARAM_MAX 299 /* the router's parameter buffers hold 300 bytes */

typedef struct {
    char method[8];
    char path[128];
    char *segs[MAX_SEGS]; /* "{...}" for a parameter */
    size_t nsegs;
    int route; /* router_match's index once seen, else -100 */
} op_t;

static op_t ops[MAX_OPS];
static size_t n_ops;

static void op_add(const char *path, const char *method)
{
    FUZZ_CHECK(n_ops < MAX_OPS, "openapi.yaml: more than %d operations", MAX_OPS);
    op_t *op = &ops[n_ops++];
    snprintf(op->path, sizeof(op->path), "%s", path);
    for (size_t i = 0; method[i] != '\0' && i + 1 < sizeof(op->method); i++) {
        op->method[i] = (char)(method[i] - 'a' + 'A');
    }
    op->route = -100;
    char *copy = strdup(path + 1), *save = NULL;
    for (char *s = strtok_r(copy, "/", &save); s != NULL; s = strtok_r(NULL, "/", &save)) {
        FUZZ_CHECK(op->nsegs < MAX_SEGS, "openapi.yaml: %s is too deep", path);
        op->segs[op->nsegs++] = s;
    }
}

/* The operations of openapi.yaml: "  /path:" lines, then "    method:". */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    char *spec = fuzz_source_file("openapi.yaml");
    char path[128] = "";
    bool in_paths = false;
    static const char *const methods[] = {"get", "post", "put", "patch", "delete"};
    char *save = NULL;
    for (char *line = strtok_r(spec, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        if (line[0] != ' ') {
            in_paths = strcmp(line, "paths:") == 0;
            continue;
        }
        size_t len = strlen(line);
        if (in_paths && strncmp(line, "  /", 3) == 0 && line[len - 1] == ':') {
            snprintf(path, sizeof(path), "%.*s", (int)len - 3, line + 2);
            continue;
        }
        for (size_t m = 0; in_paths && path[0] != '\0' && m < 5; m++) {
            if (strncmp(line, "    ", 4) == 0 &&
                strncmp(line + 4, methods[m], strlen(methods[m])) == 0 &&
                strcmp(line + 4 + strlen(methods[m]), ":") == 0) {
                op_add(path, methods[m]);
            }
        }
    }
    free(spec);
    FUZZ_CHECK(n_ops >= 10, "openapi.yaml: only %zu operations read", n_ops);
    return 0;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* %XX decoding; false when malformed, when it gives a NUL, or over max. */
static bool decode(const char *s, size_t len, char *out, size_t max)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        int c = (unsigned char)s[i];
        if (c == '%') {
            if (i + 2 >= len || hexval(s[i + 1]) < 0 || hexval(s[i + 2]) < 0) {
                return false;
            }
            c = hexval(s[i + 1]) * 16 + hexval(s[i + 2]);
            i += 2;
        }
        if (c == 0 || o >= max) {
            return false;
        }
        out[o++] = (char)c;
    }
    out[o] = '\0';
    return true;
}

/* Matches one template against the raw path (one trailing '/' dropped). */
static bool op_matches(const op_t *op, const char *path, size_t plen, char params[2][PARAM_MAX + 1],
                       int *nparams)
{
    if (plen > 1 && path[plen - 1] == '/') {
        plen--;
    }
    size_t i = 0, seg = 0;
    *nparams = 0;
    while (i < plen) {
        if (path[i] != '/' || seg == op->nsegs) {
            return false;
        }
        size_t start = ++i;
        while (i < plen && path[i] != '/') {
            i++;
        }
        const char *t = op->segs[seg++];
        if (t[0] == '{') {
            if (i == start || !decode(path + start, i - start, params[*nparams], PARAM_MAX)) {
                return false;
            }
            (*nparams)++;
        } else if (strlen(t) != i - start || memcmp(t, path + start, i - start) != 0) {
            return false;
        }
    }
    return seg == op->nsegs;
}

static size_t op_params(const op_t *op)
{
    size_t n = 0;
    for (size_t i = 0; i < op->nsegs; i++) {
        n += op->segs[i][0] == '{';
    }
    return n;
}

static void check_route(const char *method, const char *path, size_t plen)
{
    char zone_key[300] = "", record_id[300] = "", allow[128];
    int k =
        router_match(method, strlen(method), path, plen, zone_key, record_id, allow, sizeof(allow));
    FUZZ_CHECK(memchr(zone_key, '\0', sizeof(zone_key)) != NULL &&
                   memchr(record_id, '\0', sizeof(record_id)) != NULL &&
                   memchr(allow, '\0', sizeof(allow)),
               "%s %.*s: unterminated output", method, (int)plen, path);

    op_t *best = NULL;
    char params[2][PARAM_MAX + 1], best_params[2][PARAM_MAX + 1];
    int np;
    bool path_found = false;
    char expect_allow[8][8];
    size_t n_allow = 0;
    for (size_t i = 0; i < n_ops; i++) {
        if (!op_matches(&ops[i], path, plen, params, &np)) {
            continue;
        }
        path_found = true;
        if (strcmp(ops[i].method, method) == 0) {
            if (best == NULL || op_params(&ops[i]) < op_params(best)) {
                best = &ops[i];
                memcpy(best_params, params, sizeof(params));
            }
        } else if (n_allow < 8) {
            snprintf(expect_allow[n_allow++], 8, "%s", ops[i].method);
        }
    }
    if (!path_found) {
        FUZZ_CHECK(k == -1, "%s %.*s: %d, documented nowhere", method, (int)plen, path, k);
        return;
    }
    if (best == NULL) {
        FUZZ_CHECK(k == -2, "%s %.*s: %d, expected 405", method, (int)plen, path, k);
        /* The Allow list names the methods of every template that matches
         * (documented ones only) and OPTIONS. */
        char copy[128];
        snprintf(copy, sizeof(copy), "%s", allow);
        size_t got = 0;
        bool options = false;
        for (char *m = strtok(copy, ", "); m != NULL; m = strtok(NULL, ", ")) {
            bool known = strcmp(m, "OPTIONS") == 0;
            options = options || known;
            for (size_t i = 0; i < n_allow; i++) {
                known = known || strcmp(m, expect_allow[i]) == 0;
            }
            FUZZ_CHECK(known, "%.*s: Allow '%s' names %s", (int)plen, path, allow, m);
            got++;
        }
        FUZZ_CHECK(options && got >= n_allow + 1, "%.*s: Allow '%s', expected %zu methods",
                   (int)plen, path, allow, n_allow);
        return;
    }
    FUZZ_CHECK(k >= 0, "%s %.*s: %d, expected %s %s", method, (int)plen, path, k, best->method,
               best->path);
    op_t *op = best;
    if (op->route == -100) {
        for (size_t i = 0; i < n_ops; i++) {
            FUZZ_CHECK(ops[i].route != k, "%s %s and %s %s share route %d", ops[i].method,
                       ops[i].path, op->method, op->path, k);
        }
        op->route = k;
    }
    FUZZ_CHECK(op->route == k, "%s %.*s: route %d, %s %s was route %d", method, (int)plen, path, k,
               op->method, op->path, op->route);
    size_t n = op_params(op);
    const char *id = n == 0 ? NULL : best_params[n - 1];
    if (strncmp(op->path, "/v1/zones/", 10) == 0) {
        FUZZ_CHECK(strcmp(zone_key, best_params[0]) == 0, "%.*s: zone_key '%s', expected '%s'",
                   (int)plen, path, zone_key, best_params[0]);
        id = n == 2 ? best_params[1] : NULL;
    }
    if (id != NULL) {
        FUZZ_CHECK(strcmp(record_id, id) == 0, "%.*s: record_id '%s', expected '%s'", (int)plen,
                   path, record_id, id);
    }
}

/* The reference query parser, written apart from the server's: pairs are
 * cut at '&', the raw key runs to the first '='; the first pair whose key is
 * key wins. Its value has '+' as a space, then %XX. NULL when absent,
 * "\x01" when malformed. */
static const char *query_ref(const char *q, size_t qlen, const char *key, char *out)
{
    size_t pair = 0;
    while (pair < qlen) {
        size_t end = pair;
        while (end < qlen && q[end] != '&') {
            end++;
        }
        size_t eq = pair;
        while (eq < end && q[eq] != '=') {
            eq++;
        }
        if (eq - pair == strlen(key) && strncmp(q + pair, key, eq - pair) == 0) {
            size_t vstart = eq < end ? eq + 1 : end, n = end - vstart;
            char *plus = malloc(n + 1);
            for (size_t i = 0; i < n; i++) {
                plus[i] = q[vstart + i] == '+' ? ' ' : q[vstart + i];
            }
            bool ok = decode(plus, n, out, n);
            free(plus);
            return ok ? out : "\x01";
        }
        pair = end + 1;
    }
    return NULL;
}

typedef struct {
    h2o_req_t req;
    api_req_t r;
} fake_req_t;

static void fake_init(fake_req_t *f, char *path, size_t len)
{
    memset(f, 0, sizeof(*f));
    h2o_mem_init_pool(&f->req.pool);
    f->req.path = h2o_iovec_init(path, len);
    const char *q = memchr(path, '?', len);
    f->req.query_at = q != NULL ? (size_t)(q - path) : SIZE_MAX;
    f->r.req = &f->req;
}

static void fake_clear(fake_req_t *f)
{
    h2o_mem_clear_pool(&f->req.pool);
}

/* 0..max as the API reads counts: digits only, at most 12 of them. */
static bool count_ref(const char *v, long long max, long long *out)
{
    size_t len = strlen(v);
    if (len == 0 || len > 12 || strspn(v, "0123456789") != len) {
        return false;
    }
    *out = strtoll(v, NULL, 10);
    return *out <= max;
}

static void check_query(char *path, size_t len)
{
    fake_req_t f;
    fake_init(&f, path, len);
    if (f.req.query_at == SIZE_MAX) {
        FUZZ_CHECK(api_query_get(&f.r, "limit") == NULL, "no query, but a limit");
        fake_clear(&f);
        return;
    }
    const char *q = path + f.req.query_at + 1;
    size_t qlen = len - f.req.query_at - 1;
    char *ref = malloc(qlen + 1);
    static const char *const keys[] = {"limit",   "offset", "cursor",  "name", "type",
                                       "content", "mode",   "dry_run", "",     "="};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        const char *want = query_ref(q, qlen, keys[i], ref);
        const char *got = api_query_get(&f.r, keys[i]);
        FUZZ_CHECK((want == NULL) == (got == NULL) && (want == NULL || strcmp(want, got) == 0),
                   "query '%.*s' key '%s': '%s', expected '%s'", (int)qlen, q, keys[i],
                   got ? got : "(none)", want ? want : "(none)");
    }

    api_paging_t p;
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    int rc = api_paging_parse(&f.r, &p, 3, &err);
    const char *lim = query_ref(q, qlen, "limit", ref);
    long long limit = 50, offset = 0;
    bool ok = lim == NULL || (count_ref(lim, 1000, &limit) && limit >= 1);
    const char *off = query_ref(q, qlen, "offset", ref);
    ok = ok && (off == NULL || count_ref(off, 1000000000, &offset));
    if (rc == DNSAPI_OK) {
        FUZZ_CHECK(ok && p.limit == limit && p.offset == offset,
                   "query '%.*s': limit %lld offset %lld accepted", (int)qlen, q, p.limit,
                   p.offset);
        const char *cur = query_ref(q, qlen, "cursor", ref);
        FUZZ_CHECK(p.has_cursor == (cur != NULL && cur[0] != '\0'), "query '%.*s': cursor %d",
                   (int)qlen, q, p.has_cursor);
        for (int i = 0; p.has_cursor && i < 3; i++) {
            FUZZ_CHECK(p.cursor[i] != NULL, "query '%.*s': cursor field %d missing", (int)qlen, q,
                       i);
        }
    } else {
        FUZZ_CHECK(rc == DNSAPI_EINVAL &&
                       (strcmp(err.field, "limit") == 0 || strcmp(err.field, "offset") == 0 ||
                        strcmp(err.field, "cursor") == 0),
                   "query '%.*s': rc %d field '%s'", (int)qlen, q, rc, err.field);
        FUZZ_CHECK(!ok || strcmp(err.field, "cursor") == 0,
                   "query '%.*s': limit/offset refused: %s", (int)qlen, q, err.message);
    }
    free(ref);
    fake_clear(&f);
}

/* Fields encoded by view_cursor_encode come back through the query. */
static void check_cursor_round_trip(const fuzz_fields_t *cf)
{
    const char *fields[3] = {cf->field[0], cf->field[1], cf->field[2]};
    for (int i = 0; i < 3; i++) {
        json_t *s = json_string(fields[i]);
        if (s == NULL) {
            return; /* not UTF-8: the server never encodes such a cursor */
        }
        json_decref(s);
    }
    char *enc = view_cursor_encode(fields, 3);
    FUZZ_CHECK(enc != NULL, "cursor of '%s' '%s' '%s' not encoded", fields[0], fields[1],
               fields[2]);
    size_t elen = strlen(enc);
    for (size_t i = 0; i < elen; i++) {
        FUZZ_CHECK(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
                          enc[i]) != NULL,
                   "cursor '%s' is not URL-safe", enc);
    }
    if (elen <= 4096) {
        char *path = malloc(elen + 32);
        int plen = snprintf(path, elen + 32, "/v1/zones/z/records?cursor=%s", enc);
        fake_req_t f;
        fake_init(&f, path, (size_t)plen);
        api_paging_t p;
        dnsapi_err_t err;
        int rc = api_paging_parse(&f.r, &p, 3, &err);
        FUZZ_CHECK(rc == DNSAPI_OK && p.has_cursor, "cursor '%s' refused: %s", enc, err.message);
        for (int i = 0; i < 3; i++) {
            FUZZ_CHECK(strcmp(p.cursor[i], fields[i]) == 0, "cursor field %d: '%s', expected '%s'",
                       i, p.cursor[i], fields[i]);
        }
        fake_clear(&f);
        free(path);
    }
    free(enc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_fields_t lines, req, cf;
    fuzz_fields_split(&lines, data, size, '\n', 2);
    fuzz_fields_split(&req, (const uint8_t *)lines.field[0], strlen(lines.field[0]), ' ', 2);
    const char *method = req.field[0];
    char *path = req.field[1];
    size_t len = strlen(path);
    const char *q = memchr(path, '?', len);
    check_route(method, path, q != NULL ? (size_t)(q - path) : len);
    check_query(path, len);
    fuzz_fields_split(&cf, (const uint8_t *)lines.field[1], strlen(lines.field[1]), '\t', 3);
    check_cursor_round_trip(&cf);
    fuzz_fields_clear(&cf);
    fuzz_fields_clear(&req);
    fuzz_fields_clear(&lines);
    return 0;
}
