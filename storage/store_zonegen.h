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
} store_zonegen_zone_t;

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

/* Every zone name, sorted bytewise, as a heap array of heap strings
 * (*names, *n); the caller frees with store_zonegen_names_free. */
int store_zonegen_names_list(PGconn *c, char ***names, size_t *n, char *errbuf, size_t errlen);

/* Frees an array from store_zonegen_names_list. */
void store_zonegen_names_free(char **names, size_t n);

/* Tries the session advisory lock of a zone without waiting: 1 when taken,
 * 0 when another session holds it, or a negative status. */
int store_zonegen_lock_try(PGconn *c, const char *zone_id, char *errbuf, size_t errlen);

/* Releases a lock taken by store_zonegen_lock_try. */
int store_zonegen_lock_release(PGconn *c, const char *zone_id, char *errbuf, size_t errlen);

/* Streams the enabled records of a zone in master-file order - SOA first,
 * apex NS next, then names in DNS canonical order, then type, content -
 * through fn, from one query read by a cursor in bounded batches, inside
 * a read-only transaction (one snapshot). Memory does not grow with the
 * zone. Returns 0, fn's non-zero value, or a negative status. */
int store_zonegen_records_stream(PGconn *c, const char *zone_id, store_zonegen_row_fn fn, void *ctx,
                                 char *errbuf, size_t errlen);

/* Records that the master file of a zone now holds serial. */
int store_zonegen_exported_set(PGconn *c, const char *zone_id, uint32_t serial, char *errbuf,
                               size_t errlen);

/* Records that the name servers serve serial, and clears last_error. */
int store_zonegen_published_set(PGconn *c, const char *zone_id, uint32_t serial, char *errbuf,
                                size_t errlen);

/* Sets last_error of a zone (message is copied; NULL clears it). */
int store_zonegen_error_set(PGconn *c, const char *zone_id, const char *message, char *errbuf,
                            size_t errlen);

#endif
