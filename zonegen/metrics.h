/*
 * metrics.h - zonegen's Prometheus metrics, served as text (format 0.0.4)
 * on DNSAPI_ZONEGEN_METRICS_LISTEN by a small thread of its own, so that a
 * scrape never waits for a sweep and a sweep never waits for a scrape.
 *
 *   dnsapi_zonegen_zones_rendered_total                  counter
 *   dnsapi_zonegen_failures_total{step}                  counter: render, reload, notify, verify
 *   dnsapi_zonegen_publish_failures_total{server}        counter: checks a server failed
 *   dnsapi_zonegen_zones_pending                         gauge
 *   dnsapi_zonegen_oldest_pending_change_seconds         gauge
 *   dnsapi_zonegen_change_to_published_seconds           histogram
 *   dnsapi_zonegen_catalog_serial                        gauge
 *
 * Every function accepts m == NULL and then does nothing, so callers need
 * not care whether metrics are on.
 */
#ifndef DNSAPI_ZONEGEN_METRICS_H
#define DNSAPI_ZONEGEN_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "common/config.h"

typedef enum {
    ZONEGEN_STEP_RENDER = 0,
    ZONEGEN_STEP_RELOAD,
    ZONEGEN_STEP_NOTIFY,
    ZONEGEN_STEP_VERIFY,
    ZONEGEN_STEP_COUNT
} zonegen_step_t;

typedef struct zonegen_metrics zonegen_metrics_t;

/* Listens on addr and starts the serving thread. server_names (n, copied)
 * label the per-server failures. NULL with errbuf filled when the address
 * cannot be bound. */
zonegen_metrics_t *zonegen_metrics_new(const dnsapi_hostport_t *addr,
                                       const char *const *server_names, size_t n, char *errbuf,
                                       size_t errlen);

/* Stops the thread, closes the socket, frees m. */
void zonegen_metrics_free(zonegen_metrics_t *m);

void zonegen_metrics_rendered(zonegen_metrics_t *m, unsigned long long n);
void zonegen_metrics_failed(zonegen_metrics_t *m, zonegen_step_t step, unsigned long long n);
void zonegen_metrics_server_failed(zonegen_metrics_t *m, size_t server, unsigned long long n);
void zonegen_metrics_pending(zonegen_metrics_t *m, long long zones, double oldest_seconds);
void zonegen_metrics_published(zonegen_metrics_t *m, double change_age_seconds);
void zonegen_metrics_catalog_serial(zonegen_metrics_t *m, uint32_t serial);

/* The text a scrape gets, into a heap buffer (free). For tests. */
char *zonegen_metrics_render(zonegen_metrics_t *m);

#endif
