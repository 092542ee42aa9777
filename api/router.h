/*
 * router.h - the one h2o handler: request ids, routing on the raw path,
 * method checks, authentication, scopes, media type, body limits and JSON
 * parsing, then the route's handler.
 */
#ifndef DNSAPI_API_ROUTER_H
#define DNSAPI_API_ROUTER_H

#include "api/api.h"

/* Registers the API on a host's path "/". thread_of maps an h2o context to
 * its api_thread_t. */
void router_register(h2o_hostconf_t *host);

/* Route lookup, exposed for unit tests: matches method and raw path (no
 * query), fills zone_key/record_id (each at least 300 bytes) and returns the
 * route index, -1 when no path matches, -2 when the path matches but not the
 * method (allow then holds the Allow header value). */
int router_match(const char *method, size_t mlen, const char *path, size_t plen, char *zone_key,
                 char *record_id, char *allow, size_t allowlen);

#endif
