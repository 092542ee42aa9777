/*
 * internal.h - the zone generator's state, shared by its parts:
 *
 *   daemon.c   start-up, the wait for notifications, the periodic sweeps
 *   sweep.c    one round of dirty zones: render, tell the primary, reload,
 *              check every server in parallel, store what each serves
 *   primary.c  the primary's side of membership: includes, the catalog,
 *              DNSAPI_ZONES_ADD_CMD / _DEL_CMD, deleted zones
 *
 * Not a public interface: zonegen.h is.
 */
#ifndef DNSAPI_ZONEGEN_INTERNAL_H
#define DNSAPI_ZONEGEN_INTERNAL_H

#include <limits.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "storage/store_zonegen.h"
#include "zonegen/check.h"
#include "zonegen/members.h"
#include "zonegen/metrics.h"
#include "zonegen/zonegen.h"

/* A zone whose last attempt failed, and when to try again. */
typedef struct {
    char id[40];
    unsigned failures;
    long long next_ms;
} zonegen_backoff_t;

/* A server zonegen checks, with what the last rounds said of it. */
typedef struct {
    char name[DNSAPI_NAME_MAX + 8]; /* secondary's name, or "host:port" of a verify server */
    char address[DNSAPI_NAME_MAX + 8];
    const dnsapi_hostport_t *addr;
    int secondary;
    int down_rounds;     /* rounds in a row in which it answered nothing */
    long long probed_ms; /* when it was last probed while down */
} zonegen_server_t;

typedef struct {
    const zonegen_options_t *opt;
    const dnsapi_config_t *cfg;
    PGconn *conn;
    char dir[PATH_MAX];        /* absolute zone folder */
    zonegen_members_t members; /* zones with a file here */
    zonegen_backoff_t *backoff;
    size_t n_backoff, cap_backoff;
    int failures;              /* zones that failed in this run, for --once */
    zonegen_server_t *servers; /* DNSAPI_VERIFY, then DNSAPI_SECONDARIES */
    size_t n_servers;
    zonegen_metrics_t *metrics; /* NULL when off */
    /* the catalog */
    char catalog_path[PATH_MAX + 300];
    uint32_t catalog_serial;
    int have_catalog_serial;
    uint64_t catalog_digest; /* of the member list in the file */
    int catalog_dirty;       /* membership changed since the file was written */
    int includes_dirty;      /* the includes need writing */
    long long tombstone_seq; /* last tombstone seen */
    long long reconciled_ms; /* last full comparison with the database */
} zonegen_t;

long long zonegen_now_ms(void);
int zonegen_stopping(const zonegen_t *zg);

/* ---- backoff (daemon.c) ---- */
zonegen_backoff_t *zonegen_backoff_find(zonegen_t *zg, const char *id);
long long zonegen_backoff_note_failure(zonegen_t *zg, const char *id);
void zonegen_backoff_clear(zonegen_t *zg, const char *id);

/* ---- sweep.c ---- */

/* Renders, publishes and checks the dirty zones not waiting out a backoff
 * (all of them with ignore_backoff). */
int zonegen_sweep_dirty(zonegen_t *zg, int ignore_backoff);

/* The same for the zones named in names (n), rendered even when their
 * file is current: a start-up finds zones without a file here. */
int zonegen_sweep_names(zonegen_t *zg, char *const *names, size_t n);

/* Asks every server that answered nothing in its last round whether it is
 * back (at most once a second each); returns 1 when one is. */
int zonegen_servers_probe(zonegen_t *zg);

/* Records a zone-level failure: last_error, the log, the backoff. */
void zonegen_zone_fail(zonegen_t *zg, const store_zonegen_zone_t *z, const char *what,
                       const char *msg);

/* ---- primary.c ---- */

/* Writes every include (DNSAPI_NS_CONF). Returns DNSAPI_OK or DNSAPI_EIO. */
int zonegen_includes_write(zonegen_t *zg);

/* Writes the catalog when its members changed (or force) and runs the
 * reload command for it. Returns DNSAPI_OK or a negative status. */
int zonegen_catalog_publish(zonegen_t *zg, int force);

/* Runs the reload command for the catalog as it is on disk (start-up: the
 * primary may not have read the includes yet). */
int zonegen_catalog_reload(zonegen_t *zg);

/* Tells the primary about new zones (names, n): DNSAPI_ZONES_ADD_CMD with
 * their names on stdin. DNSAPI_OK when there is no such command. */
int zonegen_primary_add(zonegen_t *zg, char *const *names, size_t n, char *errbuf, size_t errlen);

/* Takes the members marked gone out: catalog and includes first, then
 * DNSAPI_ZONES_DEL_CMD, the files, and the reload command per zone. */
int zonegen_members_drop_gone(zonegen_t *zg);

/* Compares the members with the zones in the database (full: every name;
 * otherwise the tombstones since the last look) and drops deleted ones. */
int zonegen_reconcile(zonegen_t *zg, int full);

#endif
