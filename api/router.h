/*
 * router.h - the routes of the API and matching a method and raw path to
 * one. Nothing else: the request lifecycle (api/request.c) does the rest.
 */
#ifndef DNSAPI_API_ROUTER_H
#define DNSAPI_API_ROUTER_H

#include "api/api.h"

typedef enum {
    API_BODY_NONE,
    API_BODY_JSON,
    API_BODY_ZONEFILE, /* a master file: text/dns (or text/plain) */
} api_body_kind_t;

struct api_route {
    const char *method;
    const char *pattern;  /* segments; '*' is a parameter: zone, then record/token id */
    const char *template; /* the same with names, for logs and metrics */
    void (*handler)(api_req_t *);
    unsigned scope; /* AUTH_SCOPE_* bit needed; 0: none (see auth) */
    bool auth;      /* a valid token is needed even without a scope */
    api_body_kind_t body;
    bool zone_param; /* the first parameter is {zone} */
    bool idempotent; /* a POST that takes an Idempotency-Key */
};

/* Matches method and raw path (no query): fills zone_key (the first
 * parameter, at least 300 bytes) and record_id (the second, at least 300 bytes; or
 * the only one of a route without {zone}) and returns the route index, -1
 * when no path matches, -2 when the path matches but not the method (allow
 * then holds the Allow header value). */
int router_match(const char *method, size_t mlen, const char *path, size_t plen, char *zone_key,
                 char *record_id, char *allow, size_t allowlen);

/* Percent-decodes src[0..len) into dst (size cap); -1 when malformed, too
 * long, or when it decodes to a NUL byte. */
int router_pct_decode(const char *src, size_t len, char *dst, size_t cap);

/* The route of an index router_match returned. */
const api_route_t *router_route(int index);

/* The number of routes, and the template of each (metrics). */
size_t router_count(void);

#endif
