/*
 * zonegen.h - the zone generator: turns changed zones into master files
 * and makes the name servers serve them.
 *
 * It LISTENs for zone_changed and also sweeps for dirty zones at start-up
 * and every few seconds, so a lost notification only delays a change. For
 * each dirty zone, under that zone's advisory lock, it renders the master
 * file atomically, keeps the NSD/Knot/BIND includes in step, runs the
 * reload command, sends NOTIFY, waits (bounded) until every verify server
 * answers with the new serial, and stores it as published_serial. A step
 * that fails sets last_error, leaves the zone pending and is retried with
 * backoff.
 */
#ifndef DNSAPI_ZONEGEN_ZONEGEN_H
#define DNSAPI_ZONEGEN_ZONEGEN_H

#include <signal.h>
#include <stdio.h>

#include <libpq-fe.h>

#include "common/config.h"

typedef struct {
    const dnsapi_config_t *cfg;  /* borrowed; must outlive the run */
    int once;                    /* render what is dirty, publish, then return */
    int sweep_ms;                /* full sweep interval */
    int coalesce_ms;             /* pause after a notification to gather a burst */
    int verify_ms;               /* time the servers get, together, to serve a new serial */
    int hook_timeout_ms;         /* time the reload command gets */
    int notify_timeout_ms;       /* time a secondary gets to acknowledge a NOTIFY */
    int backoff_max_ms;          /* longest pause before retrying a failed zone */
    volatile sig_atomic_t *stop; /* set by a signal handler to stop; may be NULL */
} zonegen_options_t;

/* Fills opt with the defaults (sweep 5 s, coalesce 10 ms, verify 10 s,
 * reload 30 s, notify 2 s, backoff up to 60 s) for cfg. */
void zonegen_options_init(zonegen_options_t *opt, const dnsapi_config_t *cfg);

/* Runs the zone generator until *opt->stop is set (or, with opt->once,
 * after one pass). Logs to stderr. Returns 0, or 1 when it could not start
 * or (with once) when some zone failed. */
int zonegen_run(const zonegen_options_t *opt);

/* Writes the master file of the zone named zone (absolute, normalized) to
 * out: the same bytes zonegen writes to its file. Returns DNSAPI_OK,
 * DNSAPI_ENOTFOUND, or another negative status with errbuf filled. */
int zonegen_export(PGconn *c, const char *zone, FILE *out, char *errbuf, size_t errlen);

#endif
