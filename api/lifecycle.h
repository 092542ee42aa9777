/*
 * lifecycle.h - what the two halves of the request lifecycle share:
 * api/request.c (arrival, input, release) and api/answer.c (finishing,
 * sending).
 */
#ifndef DNSAPI_API_LIFECYCLE_H
#define DNSAPI_API_LIFECYCLE_H

#include "api/api.h"

/* The monotonic clock, in nanoseconds. */
uint64_t api_now_ns(void);

/* Adds the CORS headers for an allowed Origin; true when it is allowed. */
bool api_cors_apply(api_req_t *r);

#endif
