/*
 * router.c - the route table and matching on the raw path: segments
 * compared literally, parameters percent-decoded (a decoded '/' stays
 * inside its segment; NUL and malformed escapes do not match).
 */
#include "api/router.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* Handler entry points: one file per endpoint flow. */
void handle_healthz(api_req_t *r);
void handle_readyz(api_req_t *r);
void handle_metrics(api_req_t *r);
void handle_zone_create(api_req_t *r);
void handle_zone_list(api_req_t *r);
void handle_zone_get(api_req_t *r);
void handle_zone_delete(api_req_t *r);
void handle_zone_export(api_req_t *r);
void handle_zone_changes(api_req_t *r);
void handle_zone_import(api_req_t *r);
void handle_record_create(api_req_t *r);
void handle_record_list(api_req_t *r);
void handle_record_get(api_req_t *r);
void handle_record_patch(api_req_t *r);
void handle_record_delete(api_req_t *r);
void handle_record_batch(api_req_t *r);
void handle_token_create(api_req_t *r);
void handle_token_list(api_req_t *r);
void handle_token_delete(api_req_t *r);
void handle_token_self(api_req_t *r);
void handle_record_delete_matching(api_req_t *r);
void handle_tsig_key_create(api_req_t *r);
void handle_tsig_key_list(api_req_t *r);
void handle_tsig_key_get(api_req_t *r);
void handle_tsig_key_delete(api_req_t *r);
void handle_delegation_list(api_req_t *r);
void handle_delegation_get(api_req_t *r);
void handle_delegation_check(api_req_t *r);
void handle_zone_check(api_req_t *r);

#define Z "/v1/zones/{zone}"

static const api_route_t routes[] = {
    {"GET", "/healthz", "/healthz", handle_healthz, 0, false, API_BODY_NONE, false, false},
    {"GET", "/readyz", "/readyz", handle_readyz, 0, false, API_BODY_NONE, false, false},
    {"GET", "/metrics", "/metrics", handle_metrics, 0, false, API_BODY_NONE, false, false},
    {"GET", "/v1/zones", "/v1/zones", handle_zone_list, AUTH_SCOPE_ZONES_READ, false, API_BODY_NONE,
     false, false},
    {"POST", "/v1/zones", "/v1/zones", handle_zone_create, AUTH_SCOPE_ZONES_WRITE, false,
     API_BODY_JSON, false, true},
    {"GET", "/v1/zones/*", Z, handle_zone_get, AUTH_SCOPE_ZONES_READ, false, API_BODY_NONE, true,
     false},
    {"DELETE", "/v1/zones/*", Z, handle_zone_delete, AUTH_SCOPE_ZONES_WRITE, false, API_BODY_NONE,
     true, false},
    {"GET", "/v1/zones/*/export", Z "/export", handle_zone_export, AUTH_SCOPE_ZONES_READ, false,
     API_BODY_NONE, true, false},
    {"GET", "/v1/zones/*/changes", Z "/changes", handle_zone_changes, AUTH_SCOPE_ZONES_READ, false,
     API_BODY_NONE, true, false},
    {"POST", "/v1/zones/*/import", Z "/import", handle_zone_import, AUTH_SCOPE_RECORDS_WRITE, false,
     API_BODY_ZONEFILE, true, true},
    /* delegations are read from the records; their live checks only ask */
    {"GET", "/v1/zones/*/delegations", Z "/delegations", handle_delegation_list,
     AUTH_SCOPE_RECORDS_READ, false, API_BODY_NONE, true, false},
    {"GET", "/v1/zones/*/delegations/*", Z "/delegations/{name}", handle_delegation_get,
     AUTH_SCOPE_RECORDS_READ, false, API_BODY_NONE, true, false},
    {"POST", "/v1/zones/*/delegations/*/check", Z "/delegations/{name}/check",
     handle_delegation_check, AUTH_SCOPE_RECORDS_READ, false, API_BODY_NONE, true, false},
    {"POST", "/v1/zones/*/check", Z "/check", handle_zone_check, AUTH_SCOPE_ZONES_READ, false,
     API_BODY_NONE, true, false},
    {"GET", "/v1/zones/*/records", Z "/records", handle_record_list, AUTH_SCOPE_RECORDS_READ, false,
     API_BODY_NONE, true, false},
    {"POST", "/v1/zones/*/records", Z "/records", handle_record_create, AUTH_SCOPE_RECORDS_WRITE,
     false, API_BODY_JSON, true, true},
    {"POST", "/v1/zones/*/records/batch", Z "/records/batch", handle_record_batch,
     AUTH_SCOPE_RECORDS_WRITE, false, API_BODY_JSON, true, true},
    {"GET", "/v1/zones/*/records/*", Z "/records/{id}", handle_record_get, AUTH_SCOPE_RECORDS_READ,
     false, API_BODY_NONE, true, false},
    {"PATCH", "/v1/zones/*/records/*", Z "/records/{id}", handle_record_patch,
     AUTH_SCOPE_RECORDS_WRITE, false, API_BODY_JSON, true, false},
    {"DELETE", "/v1/zones/*/records", Z "/records", handle_record_delete_matching,
     AUTH_SCOPE_RECORDS_WRITE, false, API_BODY_NONE, true, false},
    {"DELETE", "/v1/zones/*/records/*", Z "/records/{id}", handle_record_delete,
     AUTH_SCOPE_RECORDS_WRITE, false, API_BODY_NONE, true, false},
    /* any valid token may see itself */
    {"GET", "/v1/tokens/self", "/v1/tokens/self", handle_token_self, 0, true, API_BODY_NONE, false,
     false},
    {"GET", "/v1/tokens", "/v1/tokens", handle_token_list, AUTH_SCOPE_TOKENS_WRITE, false,
     API_BODY_NONE, false, false},
    /* tokens are minted without Idempotency-Key: the secret is shown once */
    {"POST", "/v1/tokens", "/v1/tokens", handle_token_create, AUTH_SCOPE_TOKENS_WRITE, false,
     API_BODY_JSON, false, false},
    {"DELETE", "/v1/tokens/*", "/v1/tokens/{id}", handle_token_delete, AUTH_SCOPE_TOKENS_WRITE,
     false, API_BODY_NONE, false, false},
    /* TSIG keys are credentials like tokens: the same scope, no key either */
    {"GET", "/v1/tsig-keys", "/v1/tsig-keys", handle_tsig_key_list, AUTH_SCOPE_TOKENS_WRITE, false,
     API_BODY_NONE, false, false},
    {"POST", "/v1/tsig-keys", "/v1/tsig-keys", handle_tsig_key_create, AUTH_SCOPE_TOKENS_WRITE,
     false, API_BODY_JSON, false, false},
    {"GET", "/v1/tsig-keys/*", "/v1/tsig-keys/{id}", handle_tsig_key_get, AUTH_SCOPE_TOKENS_WRITE,
     false, API_BODY_NONE, false, false},
    {"DELETE", "/v1/tsig-keys/*", "/v1/tsig-keys/{id}", handle_tsig_key_delete,
     AUTH_SCOPE_TOKENS_WRITE, false, API_BODY_NONE, false, false},
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
int router_pct_decode(const char *src, size_t len, char *dst, size_t cap)
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
                router_pct_decode(path + start, i - start, params[np], sizeof(params[np])) != 0) {
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
                memcpy(record_id, params[1], 300);
            } else {
                memcpy(record_id, params[0], 300);
            }
            return (int)k;
        }
    }
    if (path_found && allow != NULL && used < allowlen) {
        snprintf(allow + used, allowlen - used, ", OPTIONS");
    }
    return path_found ? -2 : -1;
}

const api_route_t *router_route(int index)
{
    return index >= 0 && (size_t)index < N_ROUTES ? &routes[index] : NULL;
}

size_t router_count(void)
{
    return N_ROUTES;
}
