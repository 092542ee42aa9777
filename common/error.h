/*
 * error.h - the project's one error enum and the error detail struct.
 *
 * Functions return DNSAPI_OK (0) or a negative dnsapi_status_t. Details that a
 * person needs (which field, which rule, what was wrong) travel in a caller's
 * dnsapi_err_t, never in globals. api/reply.c is the one place that maps a
 * status to an HTTP status and a JSON error body.
 */
#ifndef DNSAPI_COMMON_ERROR_H
#define DNSAPI_COMMON_ERROR_H

#include <stddef.h>

typedef enum {
    DNSAPI_OK = 0,
    DNSAPI_EINVAL = -1,     /* validation failed: 422 validation_failed */
    DNSAPI_ENOTFOUND = -2,  /* 404 not_found */
    DNSAPI_ECONFLICT = -3,  /* 409; err.code says which (duplicate, cname_conflict, zone_exists) */
    DNSAPI_EAUTH = -4,      /* 401 unauthorized / invalid_token */
    DNSAPI_EFORBIDDEN = -5, /* 403 insufficient_scope */
    DNSAPI_ESYSTEM = -6,    /* 403 system_record: SOA or apex NS */
    DNSAPI_EDB = -7,        /* database unavailable or failed: 503 */
    DNSAPI_ETIMEOUT = -8,   /* an operation took too long */
    DNSAPI_EBUSY = -9,      /* queue full: 503 with Retry-After */
    DNSAPI_ENOMEM = -10,    /* out of memory */
    DNSAPI_EIO = -11,       /* file or socket I/O failed */
    DNSAPI_EBADREQ = -12,   /* malformed request: 400 bad_request */
    DNSAPI_ECONFIG = -13,   /* invalid configuration */
    DNSAPI_EINTERNAL = -14, /* a bug: 500 */
} dnsapi_status_t;

/* Details of one error. code is the machine code for clients: for
 * DNSAPI_EINVAL the per-field rule ("bad_rdata", "name_outside_zone", ...),
 * otherwise the top-level code ("cname_conflict", "duplicate", ...). field is
 * the request field at fault, or empty. message is a sentence a person can
 * act on. */
typedef struct {
    int status;
    char code[40];
    char field[40];
    char message[320];
} dnsapi_err_t;

/* Returns a short static description of a dnsapi_status_t. */
const char *dnsapi_strerror(int status);

/* Fills err (if not NULL) and returns status, so callers can write
 * `return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content", "...")`.
 * code and field may be NULL. */
int dnsapi_err_set(dnsapi_err_t *err, int status, const char *code, const char *field,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Clears err to DNSAPI_OK with empty strings. */
void dnsapi_err_clear(dnsapi_err_t *err);

#endif
