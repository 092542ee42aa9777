/*
 * store_record.h - record reads (a page, one record) and the single-record
 * delete, each one statement round.
 *
 * A read is one statement: the token's check, the zone and the page
 * together, with one prepared statement per filter shape (so each keeps
 * one generic plan). A single DELETE is one implicit transaction: the rule
 * a delete can break - it may not remove a system record - is enforced by
 * the database's guard on records, so no round is spent looking first.
 */
#ifndef DNSAPI_STORAGE_STORE_RECORD_H
#define DNSAPI_STORAGE_STORE_RECORD_H

#include "storage/store.h"

/* The zone of a read: by name or by id (exactly one set). */
typedef struct {
    const char *name, *id;
} store_zone_ref_t;

/* A page of records in list order (DNS order of names, type, content,
 * id), with optional exact filters; after_* continue after a keyset
 * cursor (all four, or none). */
typedef struct {
    const char *name, *type, *content; /* filters, NULL when absent */
    long long limit, offset;
    bool after;
    const char *after_key[4]; /* sort key, type, stored content, id */
} store_record_query_t;

/* A page: the records, the zone's name, the total matching, and for each
 * record the keyset position a cursor resumes after. */
typedef struct {
    const char *zone_name;
    long long total;
    const dns_record_t *rows;
    size_t n;
    const char *const *cursor_key; /* n entries of 4 strings each: cursor_key[4*i+k] */
} store_record_page_t;

typedef void (*store_record_page_cb)(void *ctx, int status, const dnsapi_err_t *err,
                                     const store_record_page_t *page);

void store_record_page(db_pool_t *db, const store_auth_t *auth, store_zone_ref_t zone,
                       const store_record_query_t *q, store_record_page_cb cb, void *ctx);

typedef void (*store_record_cb)(void *ctx, int status, const dnsapi_err_t *err,
                                const dns_record_t *rec, uint32_t serial);

/* One record by id (serial is 0). Not found: 404. */
void store_record_get(db_pool_t *db, const store_auth_t *auth, store_zone_ref_t zone,
                      const char *id, store_record_cb cb, void *ctx);

/* Deletes one record by id; cb gets the record deleted and the zone's new
 * serial. A system record is 403 system_record, nothing deleted. */
void store_record_delete(db_pool_t *db, const store_auth_t *auth, const char *zone_key,
                         const char *id, store_record_cb cb, void *ctx);

#endif
