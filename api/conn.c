#include "api/conn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/log.h"

#define TICK_MS 500
#define LINGER_MS 2000

typedef enum {
    PHASE_HEAD, /* waiting for a request's headers (a new connection starts here) */
    PHASE_BODY, /* headers complete, waiting for the body */
    PHASE_IDLE, /* between requests */
    PHASE_BUSY, /* a request is being handled */
} phase_t;

static const char *const phase_names[] = {"header", "body", "idle", "busy"};

typedef struct {
    h2o_linklist_t link;
    conn_loop_t *cl;
    h2o_socket_t *sock;
    void (*closed)(void *);
    void *closed_data;
    int refs; /* the socket, and each request that reached the handlers */
    phase_t phase;
    uint64_t since; /* ms: when the phase began */
    size_t seen_read;
    unsigned long long started, seen_started;
    unsigned active; /* requests handed to the handlers, not yet disposed */
    bool h2, shut;
    unsigned cancelled;
    uint64_t cancel_window_at;
} conn_t;

typedef struct {
    h2o_linklist_t link;
    conn_loop_t *cl;
    h2o_socket_t *sock;
    h2o_timeout_entry_t timer;
    bool written;
} refusal_t;

static void conn_unref(conn_t *c)
{
    if (--c->refs > 0) {
        return;
    }
    free(c);
}

/* Ends c's stream from outside: h2o reads the end and closes the connection
 * through its own path (after disposing its requests). */
static void conn_shut(conn_t *c, const char *why)
{
    if (c->shut || c->sock == NULL) {
        return;
    }
    c->shut = true;
    LOG_EVENT(LOG_LEVEL_DEBUG, "closing a connection: %s", why);
    shutdown(h2o_socket_get_fd(c->sock), SHUT_RDWR);
}

static void on_conn_close(void *data)
{
    conn_t *c = data;
    h2o_linklist_unlink(&c->link);
    atomic_fetch_sub(&c->cl->lim->open, 1);
    if (c->closed != NULL) {
        c->closed(c->closed_data);
    }
    c->sock = NULL;
    conn_unref(c);
}

static bool has_blank_line(const h2o_buffer_t *in)
{
    return in != NULL && in->size >= 4 && memmem(in->bytes, in->size, "\r\n\r\n", 4) != NULL;
}

/* One look at c: moves it to the phase its socket shows, and shuts it when
 * it has stayed in that phase too long. */
static void conn_check(conn_t *c, uint64_t now)
{
    const conn_limits_t *lim = c->cl->lim;
    h2o_socket_t *sock = c->sock;
    if (c->shut) {
        return;
    }
    if (c->active > 0) {
        c->phase = PHASE_BUSY;
        c->since = now;
        return;
    }
    if (c->phase == PHASE_BUSY || c->started != c->seen_started) {
        /* answered since the last look: waiting for the next request */
        c->phase = PHASE_IDLE;
        c->since = now;
        c->seen_read = sock->bytes_read;
        c->seen_started = c->started;
    }
    if (c->phase == PHASE_IDLE &&
        (sock->bytes_read != c->seen_read || (sock->input != NULL && sock->input->size > 0))) {
        c->phase = PHASE_HEAD;
        c->since = now;
    }
    if (c->phase == PHASE_HEAD && !c->h2 && has_blank_line(sock->input)) {
        c->phase = PHASE_BODY;
        c->since = now;
    }
    int limit = c->phase == PHASE_HEAD   ? lim->header_timeout_ms
                : c->phase == PHASE_BODY ? lim->body_timeout_ms
                                         : lim->idle_timeout_ms;
    if (now - c->since > (uint64_t)limit) {
        atomic_fetch_add(&c->cl->lim->timed_out, 1);
        conn_shut(c, phase_names[c->phase]);
    }
}

static void on_tick(h2o_timeout_entry_t *entry)
{
    conn_loop_t *cl = H2O_STRUCT_FROM_MEMBER(conn_loop_t, tick, entry);
    uint64_t now = h2o_now(cl->ctx->loop);
    for (h2o_linklist_t *n = cl->conns.next; n != &cl->conns; n = n->next) {
        conn_check(H2O_STRUCT_FROM_MEMBER(conn_t, link, n), now);
    }
    h2o_timeout_link(cl->ctx->loop, &cl->tick_timeout, &cl->tick);
}

void conn_loop_init(conn_loop_t *cl, h2o_context_t *ctx, conn_limits_t *lim)
{
    memset(cl, 0, sizeof(*cl));
    cl->ctx = ctx;
    cl->lim = lim;
    h2o_linklist_init_anchor(&cl->conns);
    h2o_linklist_init_anchor(&cl->refusals);
    h2o_timeout_init(ctx->loop, &cl->tick_timeout, TICK_MS);
    h2o_timeout_init(ctx->loop, &cl->linger_timeout, LINGER_MS);
    cl->tick.cb = on_tick;
    h2o_timeout_link(ctx->loop, &cl->tick_timeout, &cl->tick);
}

bool conn_admit(conn_limits_t *lim)
{
    if (atomic_fetch_add(&lim->open, 1) >= lim->max_connections) {
        atomic_fetch_sub(&lim->open, 1);
        return false;
    }
    return true;
}

void conn_release(conn_limits_t *lim)
{
    atomic_fetch_sub(&lim->open, 1);
}

void conn_track(conn_loop_t *cl, h2o_socket_t *sock, void (*closed)(void *), void *data)
{
    conn_t *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        abort();
    }
    c->cl = cl;
    c->sock = sock;
    c->closed = closed;
    c->closed_data = data;
    c->refs = 1;
    c->phase = PHASE_HEAD;
    c->since = h2o_now(cl->ctx->loop);
    h2o_linklist_insert(&cl->conns, &c->link);
    sock->on_close.cb = on_conn_close;
    sock->on_close.data = c;
}

/* ---- refusals ---- */

static const char refusal_text[] =
    "HTTP/1.1 503 Service Unavailable\r\n"
    "Content-Type: application/json\r\n"
    "Retry-After: 1\r\n"
    "Cache-Control: no-store\r\n"
    "X-Request-Id: refused\r\n"
    "Connection: close\r\n"
    "Content-Length: 136\r\n"
    "\r\n"
    "{\"status\":\"error\",\"error\":{\"code\":\"unavailable\",\"message\":\"the server is at its "
    "connection limit; retry after the time in Retry-After\"}}";

static void refusal_close(refusal_t *rf)
{
    if (h2o_timeout_is_linked(&rf->timer)) {
        h2o_timeout_unlink(&rf->timer);
    }
    h2o_linklist_unlink(&rf->link);
    rf->cl->n_refusals--;
    h2o_socket_close(rf->sock);
    free(rf);
}

static void on_refusal_read(h2o_socket_t *sock, const char *err)
{
    refusal_t *rf = sock->data;
    if (err != NULL) {
        refusal_close(rf);
        return;
    }
    h2o_buffer_consume(&sock->input, sock->input->size);
}

/* The answer is out: send our end of the stream and read (and drop) what
 * the client still sends until it closes or the linger time is up, so that
 * a request arriving after the answer does not turn into a reset that
 * could destroy the answer before the client reads it. */
static void on_refusal_written(h2o_socket_t *sock, const char *err)
{
    refusal_t *rf = sock->data;
    rf->written = true;
    if (err != NULL) {
        refusal_close(rf);
        return;
    }
    shutdown(h2o_socket_get_fd(sock), SHUT_WR);
    h2o_socket_read_start(sock, on_refusal_read);
}

static void on_refusal_timeout(h2o_timeout_entry_t *entry)
{
    refusal_t *rf = H2O_STRUCT_FROM_MEMBER(refusal_t, timer, entry);
    if (!rf->written) {
        /* still writing (h2o may not close a socket mid-write): later */
        h2o_timeout_link(rf->cl->ctx->loop, &rf->cl->linger_timeout, &rf->timer);
        return;
    }
    refusal_close(rf);
}

void conn_refuse(conn_loop_t *cl, h2o_socket_t *sock, bool tls)
{
    unsigned long long n = atomic_fetch_add(&cl->lim->refused, 1);
    if ((n & 1023) == 0) {
        log_line_t l;
        log_line_begin(&l, LOG_LEVEL_WARN, "connection limit reached: refusing connections");
        log_line_int(&l, "max_connections", cl->lim->max_connections);
        log_line_int(&l, "refused_total", (long long)n + 1);
        log_line_end(&l);
    }
    refusal_t *rf = NULL;
    if (!tls && cl->n_refusals < CONN_MAX_REFUSALS_PER_LOOP) {
        rf = calloc(1, sizeof(*rf));
    }
    if (rf == NULL) {
        h2o_socket_close(sock);
        return;
    }
    rf->cl = cl;
    rf->sock = sock;
    rf->timer.cb = on_refusal_timeout;
    sock->data = rf;
    h2o_linklist_insert(&cl->refusals, &rf->link);
    cl->n_refusals++;
    h2o_timeout_link(cl->ctx->loop, &cl->linger_timeout, &rf->timer);
    h2o_iovec_t buf = h2o_iovec_init(refusal_text, sizeof(refusal_text) - 1);
    h2o_socket_write(sock, &buf, 1, on_refusal_written);
}

void conn_loop_close_all(conn_loop_t *cl)
{
    for (h2o_linklist_t *n = cl->conns.next; n != &cl->conns; n = n->next) {
        conn_shut(H2O_STRUCT_FROM_MEMBER(conn_t, link, n), "the server is stopping");
    }
    for (int i = 0; i < 200; i++) {
        /* a refusal still writing is left for a later turn */
        for (h2o_linklist_t *n = cl->refusals.next; n != &cl->refusals;) {
            refusal_t *rf = H2O_STRUCT_FROM_MEMBER(refusal_t, link, n);
            n = n->next;
            if (rf->written) {
                refusal_close(rf);
            }
        }
        if (h2o_linklist_is_empty(&cl->conns) && h2o_linklist_is_empty(&cl->refusals)) {
            break;
        }
        h2o_evloop_run(cl->ctx->loop, 10);
    }
    if (h2o_timeout_is_linked(&cl->tick)) {
        h2o_timeout_unlink(&cl->tick);
    }
}

bool conn_loop_dispose(conn_loop_t *cl)
{
    if (!h2o_linklist_is_empty(&cl->conns) || !h2o_linklist_is_empty(&cl->refusals)) {
        return false;
    }
    h2o_timeout_dispose(cl->ctx->loop, &cl->tick_timeout);
    h2o_timeout_dispose(cl->ctx->loop, &cl->linger_timeout);
    return true;
}

/* ---- the request hook ---- */

typedef struct {
    h2o_handler_t super;
    h2o_handler_t *inner;
} hook_t;

typedef struct {
    conn_t *c;
    h2o_req_t *req;
} mark_t;

static conn_t *conn_of(h2o_req_t *req)
{
    if (req->conn == NULL || req->conn->callbacks->get_socket == NULL) {
        return NULL;
    }
    h2o_socket_t *sock = req->conn->callbacks->get_socket(req->conn);
    if (sock == NULL || sock->on_close.cb != on_conn_close) {
        return NULL;
    }
    return sock->on_close.data;
}

/* A request that reached the handlers is done. One whose status was never
 * set was cancelled by the client before its answer (an HTTP/2 stream
 * reset, or a client gone): each of those may have started database work
 * for nothing, so a connection that cancels many in a short time is shut. */
static void mark_dispose(void *p)
{
    mark_t *m = p;
    conn_t *c = m->c;
    c->active--;
    if (m->req->res.status == 0 && c->sock != NULL) {
        uint64_t now = h2o_now(c->cl->ctx->loop);
        if (now - c->cancel_window_at > CONN_CANCEL_WINDOW_MS) {
            c->cancel_window_at = now;
            c->cancelled = 0;
        }
        if (++c->cancelled > CONN_MAX_CANCELLED && !c->shut) {
            atomic_fetch_add(&c->cl->lim->reset_closed, 1);
            log_line_t l;
            log_line_begin(&l, LOG_LEVEL_WARN,
                           "closing a connection that cancels requests faster "
                           "than they finish");
            log_line_int(&l, "cancelled", (long long)c->cancelled);
            log_line_int(&l, "window_ms", CONN_CANCEL_WINDOW_MS);
            log_line_end(&l);
            conn_shut(c, "too many cancelled requests");
        }
    }
    conn_unref(c);
}

static int hook_on_req(h2o_handler_t *self, h2o_req_t *req)
{
    hook_t *h = (hook_t *)self;
    conn_t *c = conn_of(req);
    if (c != NULL) {
        mark_t *m = h2o_mem_alloc_shared(&req->pool, sizeof(*m), mark_dispose);
        m->c = c;
        m->req = req;
        c->refs++;
        c->active++;
        c->started++;
        if (req->version >= 0x200) {
            c->h2 = true;
        }
    }
    return h->inner->on_req(h->inner, req);
}

static void hook_on_context_init(h2o_handler_t *self, h2o_context_t *ctx)
{
    hook_t *h = (hook_t *)self;
    if (h->inner->on_context_init != NULL) {
        h->inner->on_context_init(h->inner, ctx);
    }
}

static void hook_on_context_dispose(h2o_handler_t *self, h2o_context_t *ctx)
{
    hook_t *h = (hook_t *)self;
    if (h->inner->on_context_dispose != NULL) {
        h->inner->on_context_dispose(h->inner, ctx);
    }
}

/* h2o_config_dispose frees the handlers it holds, which are the hooks:
 * each hook disposes and frees the handler it stands for. */
static void hook_dispose(h2o_handler_t *self)
{
    hook_t *h = (hook_t *)self;
    if (h->inner->dispose != NULL) {
        h->inner->dispose(h->inner);
    }
    free(h->inner);
}

void conn_hook_host(h2o_hostconf_t *host)
{
    for (size_t p = 0; p < host->paths.size; p++) {
        h2o_pathconf_t *pc = &host->paths.entries[p];
        size_t n = pc->handlers.size;
        for (size_t i = 0; i < n; i++) {
            /* h2o_create_handler appends; the hook then takes the inner
             * handler's place and the appended slot is dropped */
            hook_t *h = (hook_t *)h2o_create_handler(pc, sizeof(*h));
            h->inner = pc->handlers.entries[i];
            h->super.on_req = hook_on_req;
            h->super.on_context_init = hook_on_context_init;
            h->super.on_context_dispose = hook_on_context_dispose;
            h->super.dispose = hook_dispose;
            pc->handlers.entries[i] = &h->super;
            pc->handlers.size--;
        }
    }
}
