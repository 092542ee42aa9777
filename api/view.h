/*
 * view.h - JSON views of database rows (column positions as documented in
 * storage/statements.c), pagination, query and body field helpers.
 */
#ifndef DNSAPI_API_VIEW_H
#define DNSAPI_API_VIEW_H

#include <libpq-fe.h>

#include "api/api.h"

json_t *view_zone(const PGresult *res, int row);
json_t *view_record(const PGresult *res, int row);
json_t *view_token(const PGresult *res, int row);

/* A growing byte buffer for hand-written JSON. */
typedef struct {
    char *p;
    size_t len, cap;
    bool failed;
} view_buf_t;

void view_buf_add(view_buf_t *b, const char *s, size_t len);
/* Appends a JSON string literal of s[0..len) with escapes. */
void view_buf_add_json_string(view_buf_t *b, const char *s, size_t len);

/* Appends rows [0, count) of RECORD_COLS as a JSON array, with the same
 * fields and order as view_record, without building jansson objects: a
 * page of 1000 records is the hottest path of the API. */
void view_records_write(view_buf_t *b, const PGresult *res, int count);

/* data.pagination */
json_t *view_pagination(long long total, long long offset, long long limit, long long count,
                        bool has_more, const char *next_cursor);

/* Paging parameters from the query string. */
typedef struct {
    long long limit, offset;
    bool has_cursor;
    char *cursor[4]; /* decoded cursor fields, in the request pool */
} view_paging_t;

/* Reads limit (default 50, at most 1000), offset and cursor (ncursor fields)
 * from the query. On a bad value fills err (422) and returns -1. */
int view_paging_parse(api_req_t *r, view_paging_t *p, int ncursor, dnsapi_err_t *err);

/* Encodes fields as an opaque cursor (malloc'd; free). */
char *view_cursor_encode(const char *const *fields, int n);

/* Checks that body has only the allowed keys (NULL-terminated list); else
 * 422 unknown_field (or immutable_field for keys in immutable). */
int view_body_check_fields(json_t *body, const char *const *allowed, const char *const *immutable,
                           dnsapi_err_t *err);

/* Reads an optional string field: 0 = absent (or null when nullable),
 * 1 = present (*out borrowed), -1 = wrong type (err filled). */
int view_body_string(json_t *body, const char *key, bool required, bool nullable, const char **out,
                     dnsapi_err_t *err);
/* Same for integers within [min, max]. */
int view_body_int(json_t *body, const char *key, bool required, long long min, long long max,
                  long long *out, dnsapi_err_t *err);
/* Same for booleans. */
int view_body_bool(json_t *body, const char *key, bool *out, dnsapi_err_t *err);

/* The JSON value of column col as a number, or null when SQL NULL. */
json_t *view_int_or_null(const PGresult *res, int row, int col);

#endif
