/*
 * log_pq.h - libpq's notices and errors as log lines (common/log.h).
 *
 * Left alone, libpq prints notices and errors that arrive outside a query
 * (such as "FATAL: terminating connection due to administrator command"
 * when the server shuts down) as raw text on stderr, beside the JSON lines.
 * Attach every connection, pooled or synchronous, right after it is made:
 *
 *   PGconn *c = PQconnectStart(conninfo);   (or PQconnectdb)
 *   log_pq_attach(c, "pool");
 *
 * The severity decides the level: ERROR, FATAL and PANIC are errors,
 * WARNING is a warning, NOTICE and INFO are info, DEBUG and LOG debug.
 */
#ifndef DNSAPI_COMMON_LOG_PQ_H
#define DNSAPI_COMMON_LOG_PQ_H

#include <libpq-fe.h>

/* A PQnoticeReceiver: writes one log line for res with msg
 * "database: <primary message>" and the fields pg_severity, sqlstate,
 * detail and hint (when present) and source (arg: a static string naming
 * the connection's user, e.g. "pool", or NULL). */
void log_pq_notice_receiver(void *arg, const PGresult *res);

/* Installs log_pq_notice_receiver on c with source (a static string, may be
 * NULL). Does nothing when c is NULL. */
void log_pq_attach(PGconn *c, const char *source);

/* Logs a failure of connection c (PQerrorMessage, newlines removed) at
 * level error with msg "database: <what>" and the field "error". */
void log_pq_conn_error(PGconn *c, const char *what);

#endif
