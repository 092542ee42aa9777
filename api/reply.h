/*
 * reply.h - the bytes of answers: the success envelope, and the one
 * mapping from errors to an HTTP status and an error body. Sending (and
 * everything every answer gets: request id, CORS, logs) is the request
 * lifecycle's (api/request.c).
 */
#ifndef DNSAPI_API_REPLY_H
#define DNSAPI_API_REPLY_H

#include <jansson.h>

#include "common/error.h"
#include "common/strbuf.h"
#include "dns/change.h"

/* The HTTP status an error maps to. */
int reply_http_status(const dnsapi_err_t *err);

/* The error envelope's top-level code for err (validation_failed,
 * duplicate, not_found, ...). */
const char *reply_top_code(const dnsapi_err_t *err);

/* The reason phrase of a status. */
const char *reply_reason(int status);

/* {"status":"success","data":data} into b (takes data). */
void reply_success_body(strbuf_t *b, json_t *data);

/* The same around data that is JSON text already. */
void reply_success_raw_body(strbuf_t *b, const char *data, size_t len);

/* The error envelope of one error into b. */
void reply_error_body(strbuf_t *b, const dnsapi_err_t *err);

/* The error envelope of a report: the first error's status and code, one
 * entry in details per problem (field "posts[2].content", index, line,
 * existing_id, expected_ttl where they apply). Returns the HTTP status. */
int reply_report_body(strbuf_t *b, const dns_report_t *rep);

#endif
