/*
 * reply.h - responses: the JSON envelope, the one mapping from errors to
 * HTTP statuses and error bodies, request ids, CORS and the access log.
 */
#ifndef DNSAPI_API_REPLY_H
#define DNSAPI_API_REPLY_H

#include <libpq-fe.h>

#include "api/api.h"

/* Sends {"status":"success","data":data} with status; takes ownership of
 * data. */
void reply_success(api_req_t *r, int status, json_t *data);

/* Sends {"status":"success","data":<data>} where data is JSON text that
 * the caller has already serialized (fast paths for long lists). */
void reply_success_raw(api_req_t *r, int status, const char *data, size_t len);

/* Sends the error envelope for err: status from err->status (and err->code
 * for 401), "details" for validation errors. */
void reply_error(api_req_t *r, const dnsapi_err_t *err);

/* The same for one entry of a list (a batch): details[] also carries the
 * entry's index, whatever the error. */
void reply_error_at(api_req_t *r, const dnsapi_err_t *err, long index);

/* Shorthand: builds the error and sends it. */
void reply_fail(api_req_t *r, int status, const char *code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Sends a non-JSON body (export, metrics) with content type. */
void reply_text(api_req_t *r, int status, const char *content_type, const char *body, size_t len);

/* Maps a failed database round or statement to an error: unique violation
 * (23505) -> 409 duplicate (or the given conflict code), DA001 -> 403
 * system_record, DA002 -> 401 invalid_token, anything else -> 503. res may
 * be NULL when the round itself failed with status. */
void reply_db_error(api_req_t *r, int status, const PGresult *res, const char *conflict_code);

/* Adds the CORS headers for an allowed Origin; returns true when the
 * request's Origin is allowed. */
bool reply_cors(api_req_t *r);

/* The last step of every answer (headers already set): logs it and sends
 * body. For idempotency.c, which sends once the answer is stored. */
void reply_send_now(api_req_t *r, int status, const char *body, size_t len);

/* The HTTP status an error maps to. */
int reply_http_status(const dnsapi_err_t *err);

#endif
