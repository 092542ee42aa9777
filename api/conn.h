/*
 * conn.h - client connections: the cap, the refusal beyond it, read and
 * idle timeouts, and a guard against clients that cancel requests faster
 * than they let them finish (HTTP/2 rapid reset).
 *
 * h2o 2.2 has one HTTP/1 timer (http1.req_timeout) that runs from the
 * moment a connection waits for a request until the whole request is read:
 * idle wait, headers and body share it, and it never restarts on progress.
 * To give each phase its own limit, every event loop keeps a list of its
 * connections and looks at them twice a second, from what h2o shows of a
 * socket (bytes read and written, the bytes buffered) and from the
 * requests that reached the handlers (conn_hook_host):
 *
 *   busy    a request is being handled: no limit here (the database round
 *           has its own)
 *   idle    nothing received since the last answer: DNSAPI_IDLE_TIMEOUT
 *   head    a request has started to arrive (or the connection is new, TLS
 *           handshake included): its headers must be complete within
 *           DNSAPI_HEADER_TIMEOUT, however slowly the bytes trickle in
 *   body    the headers are complete (an empty line was seen): the body
 *           within DNSAPI_BODY_TIMEOUT
 *
 * A connection past its limit is shut down (shutdown(2)); h2o sees the end
 * of the stream and closes it by its own path, so no h2o state is touched
 * from outside. HTTP/2 connections (a request of theirs said so) skip the
 * body phase; h2o's http2.idle_timeout is set to the idle limit as well.
 *
 * The cap: conn_admit counts every open connection of the process; beyond
 * DNSAPI_MAX_CONNECTIONS a plain-HTTP client gets "503 Service Unavailable"
 * with Retry-After and the JSON error body (code "unavailable"), then the
 * connection is closed after a short lingering read so that the answer is
 * not lost to a reset; a TLS client is closed at once. Refusals being
 * answered are themselves capped per loop; beyond that, closed at once.
 */
#ifndef DNSAPI_API_CONN_H
#define DNSAPI_API_CONN_H

#include <stdatomic.h>
#include <stdbool.h>

#include <h2o.h>

/* Limits shared by every loop of a server. */
typedef struct {
    int max_connections;
    int header_timeout_ms, body_timeout_ms, idle_timeout_ms;
    atomic_int open; /* connections admitted and not yet closed */
    atomic_ullong refused;
    atomic_ullong timed_out;
    atomic_ullong reset_closed;
} conn_limits_t;

/* One loop's connections. Embedded in the loop's worker; used only by the
 * loop's thread. */
typedef struct {
    h2o_context_t *ctx;
    conn_limits_t *lim;
    h2o_linklist_t conns;    /* conn_t, in accept order */
    h2o_linklist_t refusals; /* refusal_t being answered */
    int n_refusals;
    h2o_timeout_t tick_timeout, linger_timeout;
    h2o_timeout_entry_t tick;
} conn_loop_t;

/* Starts cl's watchdog on ctx's loop. */
void conn_loop_init(conn_loop_t *cl, h2o_context_t *ctx, conn_limits_t *lim);

/* Shuts every remaining connection and refusal down, then turns the loop
 * (bounded) until h2o has closed them, and stops the watchdog. For the end
 * of the process, after in-flight requests have finished. */
void conn_loop_close_all(conn_loop_t *cl);

/* Releases cl's timers once conn_loop_close_all has closed everything.
 * Returns false (and keeps them) when some connection is still open: the
 * loop must then be left as it is. */
bool conn_loop_dispose(conn_loop_t *cl);

/* Reserves a place for one more connection: true when under the cap (then
 * conn_track or conn_release must follow), false when full. Any thread. */
bool conn_admit(conn_limits_t *lim);

/* Gives back a place reserved by conn_admit that no connection took. */
void conn_release(conn_limits_t *lim);

/* Watches sock (admitted) on cl; closed(data) is called when it closes.
 * Takes sock->on_close. Call before h2o_accept. */
void conn_track(conn_loop_t *cl, h2o_socket_t *sock, void (*closed)(void *), void *data);

/* Refuses sock (not admitted): 503 for plain HTTP, closed at once for TLS
 * or when too many refusals are in flight. Takes ownership of sock. */
void conn_refuse(conn_loop_t *cl, h2o_socket_t *sock, bool tls);

/* Puts a first handler in front of every handler of host, which tells the
 * connection that a request has reached the handlers and when it is done,
 * and counts requests the client cancelled before their answer: a
 * connection that cancels more than CONN_MAX_CANCELLED within
 * CONN_CANCEL_WINDOW_MS is shut down. Call after the handlers are
 * registered. */
void conn_hook_host(h2o_hostconf_t *host);

/* Refusals being answered at once, per loop. */
#define CONN_MAX_REFUSALS_PER_LOOP 256

#define CONN_MAX_CANCELLED 200
#define CONN_CANCEL_WINDOW_MS 10000

#endif
