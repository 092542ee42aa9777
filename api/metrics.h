/*
 * metrics.h - the API's Prometheus metrics, complete in every scrape.
 *
 * Each event loop counts into its own block of relaxed atomics (no lock
 * on the request path); a scrape, whichever loop serves it, sums every
 * loop's block. Requests are counted by route template, method and status
 * class, with a latency histogram per route; database pool figures are
 * published by each loop as it works.
 */
#ifndef DNSAPI_API_METRICS_H
#define DNSAPI_API_METRICS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "api/ratelimit.h"
#include "common/strbuf.h"
#include "storage/db_pool.h"

typedef struct api_metrics api_metrics_t;

/* The block of a loop (index < 64), which reads the loop's open client
 * connections from connections; registered for scrapes. NULL when out of
 * memory. */
api_metrics_t *api_metrics_new(int loop, atomic_int *connections);

/* Counts one answer: route (index from router_match, or -1 for no route),
 * HTTP status, time from arrival to the answer. */
void api_metrics_count(api_metrics_t *m, int route, int status, uint64_t duration_ns);

/* Counts a database failure seen by a request (an outage shows here as it
 * happens). */
void api_metrics_db_error(api_metrics_t *m);

/* Counts one DNS message answered by the UPDATE listener: its opcode
 * (0 QUERY, 5 UPDATE, anything else "other") and the rcode answered
 * (DNS_RCODE_*; -1: nothing was sent). */
void api_metrics_dns(api_metrics_t *m, unsigned opcode, int rcode);

/* Counts a request refused with 429 by budget (DNSAPI_RATE_*). */
void api_metrics_rate_limited(api_metrics_t *m, int budget);

/* Publishes a loop's pool figures. */
void api_metrics_publish(api_metrics_t *m, const db_pool_stats_t *pool);

/* The text exposition of every loop's metrics into b, with the figures of
 * the rate-limit table rl (NULL when limits are off). */
void api_metrics_render(strbuf_t *b, ratelimit_t *rl);

#endif
