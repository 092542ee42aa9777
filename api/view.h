/*
 * view.h - JSON views of typed rows (zones, records, tokens, audit
 * entries), pagination and cursors, warnings.
 */
#ifndef DNSAPI_API_VIEW_H
#define DNSAPI_API_VIEW_H

#include <jansson.h>

#include "common/strbuf.h"
#include "dns/change.h"
#include "storage/store.h"
#include "storage/store_tsig.h"
#include "storage/store_zone.h"

json_t *view_zone(const store_zone_t *z);
json_t *view_record(const dns_record_t *r);
json_t *view_token(const store_token_t *t);
/* A TSIG key (never its secret). */
json_t *view_tsig_key(const store_tsig_t *k);
json_t *view_change_entry(const store_change_entry_t *e);

/* Appends records as a JSON array, with the same fields and order as
 * view_record, without building jansson objects: a page of 1000 records is
 * the hottest path of the API. */
void view_records_write(strbuf_t *b, const dns_record_t *rows, size_t n);

/* Appends s[0..len) as a JSON string literal. */
void view_json_string(strbuf_t *b, const char *s, size_t len);

/* The data of a list answer: {key: items, pagination} for the rows read
 * for a page (count of them shown; cursor: the next page's, or NULL).
 * Takes items. */
json_t *view_page(const char *key, json_t *items, long long total, long long offset,
                  long long limit, size_t count, bool has_more, const char *cursor);

/* data.pagination */
json_t *view_pagination(long long total, long long offset, long long limit, long long count,
                        bool has_more, const char *next_cursor);

/* Encodes fields as an opaque cursor (malloc'd; free). */
char *view_cursor_encode(const char *const *fields, int n);

/* Adds "warnings": [{code, message}...] to d when the report has any. */
void view_warnings_add(json_t *d, const dns_report_t *rep);

#endif
