/*
 * store_zonegen.h - the zone generator's SQL: which zones are dirty, the
 * per-zone advisory lock, the ordered record stream a master file is
 * rendered from, and the exported/published bookkeeping.
 *
 * Synchronous libpq on a connection the caller owns (the zone generator and
 * the export command are not on the API's event loop). Functions return
 * DNSAPI_OK or a negative dnsapi_status_t and write one line into errbuf on
 * failure; no function keeps a PGresult beyond its return.
 */
#ifndef DNSAPI_STORAGE_STORE_ZONEGEN_H
#define DNSAPI_STORAGE_STORE_ZONEGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

/* Advisory lock class (first key of pg_try_advisory_lock(int, int)); the
 * second key is hashtext(zone id). */
#define STORE_ZONEGEN_LOCK_CLASS 0x5a47

/* A zone as the zone generator sees it. Serial fields are RFC 1982 numbers;
 * has_* say whether the nullable column had a value. */
typedef struct {
    char id[40];
    char name[256]; /* absolute, e.g. "example.com." */
    uint32_t serial;
    bool has_exported;
    uint32_t exported_serial;
    bool has_published;
    uint32_t published_serial;
    bool has_error;
    int publish_failures; /* zone-level steps failed in a row */
    bool primary_current; /* every primary-side server was last seen serving serial */
} store_zonegen_zone_t;

/* A zone's name and id (store_zonegen_names_list). */
typedef struct {
    char *name; /* absolute; heap */
    char id[40];
} store_zonegen_name_t;

/* A deleted zone (zone_tombstones). */
typedef struct {
    long long seq;
    char id[40];
    char name[256];
} store_zonegen_tombstone_t;

/* One (zone, server) check for store_zonegen_checks_store; borrowed. */
typedef struct {
    const char *zone_id;
    const char *name;    /* server name */
    const char *address; /* addr:port */
    bool secondary;
    bool has_serial;
    uint32_t serial;
    bool in_sync;
    const char *error; /* NULL or "" when none */
} store_zonegen_check_row_t;

/* One zone of a round of checks. */
typedef struct {
    const char *zone_id;
    bool has_published; /* every server answered: published is the serial all serve */
    uint32_t published;
    const char *error; /* the zone's last_error; NULL clears it */
} store_zonegen_zone_result_t;

/* Called for each zone now published at its current serial, with the age
 * of its last change in seconds. */
typedef void (*store_zonegen_published_fn)(const char *zone_id, double change_age, void *ctx);

/* One record row of the render stream. Every pointer is borrowed and only
 * valid during the callback. priority is -1 when NULL. */
typedef struct {
    const char *name;
    const char *type;
    uint32_t ttl;
    int priority;
    const char *content;
} store_zonegen_row_t;

/* Called for each streamed row; returns 0 to go on, anything else to stop
 * (that value is then returned by store_zonegen_records_stream). */
typedef int (*store_zonegen_row_fn)(const store_zonegen_row_t *row, void *ctx);

/* LISTEN zone_changed on c. */
int store_zonegen_listen(PGconn *c, char *errbuf, size_t errlen);

/* Fills out (capacity max) with dirty zones: serial differs from
 * exported_serial or from published_serial. Zones without last_error come
 * first, then oldest change first. Sets *n. */
int store_zonegen_dirty_list(PGconn *c, store_zonegen_zone_t *out, size_t max, size_t *n,
                             char *errbuf, size_t errlen);

/* Reads one zone by id (a uuid string) or by absolute name; which says how
 * key is to be read ('i' id, 'n' name). DNSAPI_ENOTFOUND when absent. */
int store_zonegen_zone_get(PGconn *c, const char *key, char which, store_zonegen_zone_t *out,
                           char *errbuf, size_t errlen);

/* Every zone's name and id, sorted bytewise by name, as a heap array
 * (*out, *n); the caller frees with store_zonegen_names_free. */
int store_zonegen_names_list(PGconn *c, store_zonegen_name_t **out, size_t *n, char *errbuf,
                             size_t errlen);

/* Frees an array from store_zonegen_names_list. */
void store_zonegen_names_free(store_zonegen_name_t *names, size_t n);

/* The newest tombstone's sequence number (0 when none) in *seq. */
int store_zonegen_tombstones_last(PGconn *c, long long *seq, char *errbuf, size_t errlen);

/* Tombstones after seq, oldest first, at most max into out (*n). */
int store_zonegen_tombstones_since(PGconn *c, long long seq, store_zonegen_tombstone_t *out,
                                   size_t max, size_t *n, char *errbuf, size_t errlen);

/* Removes tombstones older than a day. */
int store_zonegen_tombstones_prune(PGconn *c, char *errbuf, size_t errlen);

/* How many zones are dirty and how old (seconds) the oldest change is. */
int store_zonegen_pending_stats(PGconn *c, long long *zones, double *oldest, char *errbuf,
                                size_t errlen);

/* Stores a round of checks in one statement (dnsapi_zonegen_checks_store):
 * per (zone, server) the serial seen, in_sync and error, with the count of
 * failures in a row; per zone the published serial and last_error, and
 * publish_failures back to 0. Rows of servers not in the round are removed
 * for its zones. fn (may be NULL) hears of every zone now published. */
int store_zonegen_checks_store(PGconn *c, const store_zonegen_check_row_t *rows, size_t n,
                               const store_zonegen_zone_result_t *zones, size_t nz,
                               store_zonegen_published_fn fn, void *ctx, char *errbuf,
                               size_t errlen);

/* Tries the session advisory lock of a zone without waiting: 1 when taken,
 * 0 when another session holds it, or a negative status. */
int store_zonegen_lock_try(PGconn *c, const char *zone_id, char *errbuf, size_t errlen);

/* Releases a lock taken by store_zonegen_lock_try. */
int store_zonegen_lock_release(PGconn *c, const char *zone_id, char *errbuf, size_t errlen);

/* Streams the enabled records of a zone in master-file order - SOA first,
 * apex NS next, then names in DNS canonical order, then type, content -
 * through fn: a zone of up to one batch of rows in one query (one round
 * trip), a larger one from one query read by a cursor in bounded batches,
 * inside a read-only transaction (one snapshot). Memory does not grow with
 * the zone. Returns 0, fn's non-zero value, or a negative status. */
int store_zonegen_records_stream(PGconn *c, const char *zone_id, store_zonegen_row_fn fn, void *ctx,
                                 char *errbuf, size_t errlen);

/* Records for n zones (ids, serials) that their master files now hold
 * those serials: one statement. */
int store_zonegen_exported_set_many(PGconn *c, const char *const *ids, const uint32_t *serials,
                                    size_t n, char *errbuf, size_t errlen);

/* Releases the locks of n zones taken by store_zonegen_lock_try. */
int store_zonegen_lock_release_many(PGconn *c, const char *const *ids, size_t n, char *errbuf,
                                    size_t errlen);

/* Sets last_error of a zone after a zone-level step failed (render,
 * reload, ...) and counts the failure in publish_failures. */
int store_zonegen_error_set(PGconn *c, const char *zone_id, const char *message, char *errbuf,
                            size_t errlen);

#endif
