#include "storage/db_pool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/error.h"
#include "common/log.h"
#include "common/log_pq.h"
#include "storage/statements.h"

#define QUEUE_TIMEOUT_MS 5000 /* an operation that waits longer is refused */
#define N_RETRY_STEPS 5       /* reconnect after 250, 500, 1000, 2000, 4000 ms */
#define RETRY_MIN_MS 250
#define RESULTS_INITIAL 16

typedef enum {
    CONN_DOWN,       /* waiting for the retry timer */
    CONN_CONNECTING, /* PQconnectPoll in progress */
    CONN_PREPARING,  /* statements being prepared */
    CONN_IDLE,       /* ready for work */
    CONN_BUSY,       /* a round is in flight */
    CONN_HELD,       /* lent to a session between rounds */
} conn_state_t;

/* Parameters of a round, copied into one allocation. */
typedef struct {
    size_t n;
    db_stmt_t stmts[DB_MAX_STMTS];
    char *buf;
} round_t;

typedef struct waiter {
    struct waiter *next;
    round_t round;
    db_round_cb cb;
    void *arg;
    h2o_timeout_entry_t timeout; /* queue wait */
    db_pool_t *pool;
} waiter_t;

struct db_session {
    db_pool_t *pool;
    h2o_socket_t *sock;
    PGconn *pg;
    conn_state_t state;
    int fd;
    unsigned retry_step; /* index into the pool's reconnect delays */
    /* the round in flight */
    db_round_cb cb;
    void *arg;
    size_t expected;
    PGresult **res; /* a round's results, or the prepares of a new connection */
    size_t got, cap;
    bool rollback;             /* an internal ROLLBACK round is in flight */
    h2o_timeout_entry_t timer; /* round timeout or retry backoff */
};

struct db_pool {
    h2o_loop_t *loop;
    char *conninfo;
    size_t nconns;
    db_session_t *conns;
    size_t max_queue, queued;
    waiter_t *head, *tail;
    h2o_timeout_t round_timeout, queue_timeout, retry_timeout[N_RETRY_STEPS];
    h2o_timeout_entry_t kick; /* deferred dispatch */
    h2o_timeout_t zero;
    unsigned long long rounds, errors;
    bool closing;
    bool starting; /* no connection has been ready yet: work waits for the first */
};

static void conn_start(db_session_t *c);
static void conn_fail(db_session_t *c);
static void dispatch(db_pool_t *pool);
static void on_readable(h2o_socket_t *sock, const char *err);

static int round_copy(round_t *r, const db_stmt_t *stmts, size_t n)
{
    size_t total = 0;
    if (n > DB_MAX_STMTS) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (stmts[i].nparams > DB_MAX_PARAMS) {
            return -1;
        }
        for (int j = 0; j < stmts[i].nparams; j++) {
            if (stmts[i].params[j] != NULL) {
                total += strlen(stmts[i].params[j]) + 1;
            }
        }
    }
    r->buf = malloc(total + 1);
    if (r->buf == NULL) {
        return -1;
    }
    char *p = r->buf;
    r->n = n;
    for (size_t i = 0; i < n; i++) {
        r->stmts[i].name = stmts[i].name;
        r->stmts[i].nparams = stmts[i].nparams;
        for (int j = 0; j < stmts[i].nparams; j++) {
            if (stmts[i].params[j] == NULL) {
                r->stmts[i].params[j] = NULL;
                continue;
            }
            size_t len = strlen(stmts[i].params[j]);
            memcpy(p, stmts[i].params[j], len + 1);
            r->stmts[i].params[j] = p;
            p += len + 1;
        }
    }
    return 0;
}

static void round_clear(round_t *r)
{
    free(r->buf);
    r->buf = NULL;
}

static void clear_results(db_session_t *c)
{
    for (size_t i = 0; i < c->got; i++) {
        PQclear(c->res[i]);
        c->res[i] = NULL;
    }
    c->got = 0;
}

static void sock_close(db_session_t *c)
{
    if (c->sock != NULL) {
        h2o_socket_read_stop(c->sock);
        h2o_socket_close(c->sock); /* closes our dup of the libpq socket */
        c->sock = NULL;
    }
}

/* Watches libpq's socket through a duplicate descriptor: h2o closes what it
 * is given, and libpq must close its own. */
static int sock_watch(db_session_t *c)
{
    int fd = PQsocket(c->pg);
    if (fd < 0) {
        return -1;
    }
    if (c->sock != NULL && fd == c->fd) {
        return 0;
    }
    sock_close(c);
    int dupfd = dup(fd);
    if (dupfd < 0) {
        return -1;
    }
    c->fd = fd;
    c->sock = h2o_evloop_socket_create(c->pool->loop, dupfd, H2O_SOCKET_FLAG_DONT_READ);
    c->sock->data = c;
    h2o_socket_read_start(c->sock, on_readable);
    return 0;
}

static void connect_step(db_session_t *c);

static void on_writable(h2o_socket_t *sock, const char *err)
{
    db_session_t *c = sock->data;
    if (err != NULL) {
        conn_fail(c);
        return;
    }
    if (c->state == CONN_CONNECTING) {
        connect_step(c);
        return;
    }
    int rc = PQflush(c->pg);
    if (rc < 0) {
        conn_fail(c);
    } else if (rc > 0) {
        h2o_socket_notify_write(c->sock, on_writable);
    }
}

static int flush(db_session_t *c)
{
    int rc = PQflush(c->pg);
    if (rc < 0) {
        return -1;
    }
    if (rc > 0 && !h2o_socket_is_writing(c->sock)) {
        h2o_socket_notify_write(c->sock, on_writable);
    }
    return 0;
}

/* Sends a round; the results come back through on_readable. */
static int send_round(db_session_t *c, const round_t *r, db_round_cb cb, void *arg)
{
    c->cb = cb;
    c->arg = arg;
    c->expected = r->n;
    c->got = 0;
    for (size_t i = 0; i < r->n; i++) {
        if (!PQsendQueryPrepared(c->pg, r->stmts[i].name, r->stmts[i].nparams, r->stmts[i].params,
                                 NULL, NULL, 0)) {
            return -1;
        }
    }
    if (!PQpipelineSync(c->pg) || flush(c) != 0) {
        return -1;
    }
    c->state = CONN_BUSY;
    h2o_timeout_link(c->pool->loop, &c->pool->round_timeout, &c->timer);
    c->pool->rounds++;
    return 0;
}

/* Hands a finished round to its callback. */
static void complete_round(db_session_t *c, int status)
{
    db_round_cb cb = c->cb;
    void *arg = c->arg;
    if (h2o_timeout_is_linked(&c->timer)) {
        h2o_timeout_unlink(&c->timer);
    }
    c->cb = NULL;
    c->state = CONN_HELD;
    if (status != DNSAPI_OK) {
        c->pool->errors++;
    }
    /* The callback gets the results in an array of its own: it may start
     * the session's next round, which fills c->res again, and whatever it
     * has not taken (set to NULL) is cleared when it returns. */
    PGresult **res = c->res;
    size_t got = c->got, cap = c->cap;
    c->res = NULL;
    c->got = c->cap = 0;
    cb(c, arg, status, status == DNSAPI_OK ? res : NULL, status == DNSAPI_OK ? got : 0);
    for (size_t i = 0; i < got; i++) {
        PQclear(res[i]);
    }
    if (c->res == NULL && c->got == 0) {
        c->res = res; /* no next round took one: keep this array */
        c->cap = cap;
    } else {
        free(res);
    }
}

static void on_prepared(db_session_t *c, void *arg, int status, PGresult **res, size_t n)
{
    for (size_t i = 0; status == DNSAPI_OK && i < n; i++) {
        ExecStatusType st = PQresultStatus(res[i]);
        if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
            LOG_EVENT(LOG_LEVEL_ERROR, "preparing statement %s failed: %s",
                      i == 0 ? "(session setup)" : db_statements[i - 1].name,
                      PQresultErrorField(res[i], PG_DIAG_MESSAGE_PRIMARY)
                          ? PQresultErrorField(res[i], PG_DIAG_MESSAGE_PRIMARY)
                          : "?");
            status = DNSAPI_EDB;
        }
    }
    if (status != DNSAPI_OK) {
        /* A statement that does not prepare is a bug or an old schema:
         * keep retrying, the pool reports not ready meanwhile. */
        c->state = CONN_HELD;
        conn_fail(c);
        return;
    }
    c->retry_step = 0;
    c->state = CONN_IDLE;
    c->pool->starting = false;
    dispatch(c->pool);
}

static int send_prepares(db_session_t *c)
{
    /* Session setup, one statement: a round trip to check the session is
     * usable before the prepares. Every statement is written to have a
     * good generic plan (a record page with other filters is another
     * statement), so plans are made once per connection: left to choose,
     * PostgreSQL would keep re-planning the one-statement reads on every
     * execution (about 1 ms each), because a custom plan that knows which
     * of "zone name or zone id" is NULL looks cheaper than the generic one.
     * JIT stays off: a generic page plan does not know its LIMIT, looks
     * expensive, and would be compiled on every execution (10 ms and more
     * for a query that runs in well under one). */
    if (!PQsendQueryParams(c->pg,
                           "SELECT set_config('application_name', 'dnsapi', false),"
                           " set_config('plan_cache_mode', 'force_generic_plan', false),"
                           " set_config('jit', 'off', false)",
                           0, NULL, NULL, NULL, NULL, 0)) {
        return -1;
    }
    for (size_t i = 0; i < db_statements_count; i++) {
        static const Oid text_types[DB_MAX_PARAMS] = {25, 25, 25, 25, 25, 25, 25, 25,
                                                      25, 25, 25, 25, 25, 25, 25, 25}; /* TEXTOID */
        int ntext = db_statements[i].ntext;
        if (!PQsendPrepare(c->pg, db_statements[i].name, db_statements[i].sql,
                           ntext > 0 && ntext <= DB_MAX_PARAMS ? ntext : 0,
                           ntext > 0 && ntext <= DB_MAX_PARAMS ? text_types : NULL)) {
            return -1;
        }
    }
    if (!PQpipelineSync(c->pg) || flush(c) != 0) {
        return -1;
    }
    c->cb = on_prepared;
    c->arg = NULL;
    c->expected = db_statements_count + 1;
    c->got = 0;
    c->state = CONN_PREPARING;
    h2o_timeout_link(c->pool->loop, &c->pool->round_timeout, &c->timer);
    return 0;
}

static void connect_step(db_session_t *c)
{
    PostgresPollingStatusType st = PQconnectPoll(c->pg);
    if (st == PGRES_POLLING_FAILED || sock_watch(c) != 0) {
        conn_fail(c);
        return;
    }
    if (st == PGRES_POLLING_WRITING) {
        h2o_socket_notify_write(c->sock, on_writable);
        return;
    }
    if (st != PGRES_POLLING_OK) {
        return; /* wait for readable */
    }
    if (h2o_timeout_is_linked(&c->timer)) {
        h2o_timeout_unlink(&c->timer);
    }
    if (PQsetnonblocking(c->pg, 1) != 0 || !PQenterPipelineMode(c->pg) || send_prepares(c) != 0) {
        conn_fail(c);
    }
}

/* Reads what the server sent: results of the round in flight. */
static void on_readable(h2o_socket_t *sock, const char *err)
{
    db_session_t *c = sock->data;
    if (err != NULL) {
        conn_fail(c);
        return;
    }
    if (c->state == CONN_CONNECTING) {
        connect_step(c);
        return;
    }
    if (!PQconsumeInput(c->pg)) {
        conn_fail(c);
        return;
    }
    int nulls = 0;
    while (c->state == CONN_BUSY || c->state == CONN_PREPARING) {
        if (PQisBusy(c->pg)) {
            break;
        }
        PGresult *r = PQgetResult(c->pg);
        if (r == NULL) {
            if (++nulls > 1) {
                break;
            }
            continue;
        }
        nulls = 0;
        if (PQresultStatus(r) == PGRES_PIPELINE_SYNC) {
            PQclear(r);
            if (c->rollback) {
                c->rollback = false;
                clear_results(c);
                if (h2o_timeout_is_linked(&c->timer)) {
                    h2o_timeout_unlink(&c->timer);
                }
                c->state = CONN_IDLE;
                dispatch(c->pool);
                return;
            }
            complete_round(c, DNSAPI_OK);
            return;
        }
        if (c->got == c->cap) {
            /* more results than any round so far: grow (never drop one) */
            size_t cap = c->cap != 0 ? c->cap * 2 : RESULTS_INITIAL;
            PGresult **res = realloc(c->res, cap * sizeof(*res));
            if (res == NULL) {
                PQclear(r);
                conn_fail(c);
                return;
            }
            c->res = res;
            c->cap = cap;
        }
        c->res[c->got++] = r;
    }
    if (PQstatus(c->pg) == CONNECTION_BAD) {
        conn_fail(c);
        return;
    }
    /* Notifications and idle chatter: nothing to do. */
    PGnotify *nt;
    while ((nt = PQnotifies(c->pg)) != NULL) {
        PQfreemem(nt);
    }
}

static void on_timer(h2o_timeout_entry_t *entry)
{
    db_session_t *c = H2O_STRUCT_FROM_MEMBER(db_session_t, timer, entry);
    if (c->state == CONN_DOWN) {
        conn_start(c);
    } else {
        conn_fail(c); /* a round or a connect attempt took too long */
    }
}

/* Tears a connection down, fails the round in flight and schedules a
 * reconnect with backoff. */
static void conn_fail(db_session_t *c)
{
    db_pool_t *pool = c->pool;
    conn_state_t was = c->state;
    db_round_cb cb = c->cb;
    void *arg = c->arg;
    if (h2o_timeout_is_linked(&c->timer)) {
        h2o_timeout_unlink(&c->timer);
    }
    sock_close(c);
    if (c->pg != NULL) {
        PQfinish(c->pg);
        c->pg = NULL;
    }
    clear_results(c);
    c->cb = NULL;
    c->rollback = false;
    c->state = CONN_DOWN;
    if (!pool->closing) {
        /* back off: each failure in a row waits twice as long, to 4 s */
        h2o_timeout_link(pool->loop, &pool->retry_timeout[c->retry_step], &c->timer);
        if (c->retry_step + 1 < N_RETRY_STEPS) {
            c->retry_step++;
        }
    }
    if ((was == CONN_BUSY) && cb != NULL) {
        pool->errors++;
        /* The session is dead: the callback's db_session_end is a no-op. */
        c->state = CONN_DOWN;
        cb(c, arg, DNSAPI_EDB, NULL, 0);
    }
    if (!db_pool_ready(pool)) {
        dispatch(pool); /* fail queued work fast */
    }
}

static void conn_start(db_session_t *c)
{
    c->pg = PQconnectStart(c->pool->conninfo);
    if (c->pg != NULL) {
        log_pq_attach(c->pg, "pool"); /* notices and errors as log lines */
    }
    if (c->pg == NULL || PQstatus(c->pg) == CONNECTION_BAD) {
        c->state = CONN_CONNECTING;
        conn_fail(c);
        return;
    }
    c->state = CONN_CONNECTING;
    h2o_timeout_link(c->pool->loop, &c->pool->round_timeout, &c->timer);
    connect_step(c);
}

bool db_pool_ready(const db_pool_t *pool)
{
    for (size_t i = 0; i < pool->nconns; i++) {
        conn_state_t st = pool->conns[i].state;
        if (st == CONN_IDLE || st == CONN_BUSY || st == CONN_HELD) {
            return true;
        }
    }
    return false;
}

static waiter_t *queue_pop(db_pool_t *pool)
{
    waiter_t *w = pool->head;
    if (w != NULL) {
        pool->head = w->next;
        if (pool->head == NULL) {
            pool->tail = NULL;
        }
        pool->queued--;
        if (h2o_timeout_is_linked(&w->timeout)) {
            h2o_timeout_unlink(&w->timeout);
        }
    }
    return w;
}

/* Starts queued work on idle connections, or fails it when the database
 * cannot be reached at all. */
static void dispatch(db_pool_t *pool)
{
    bool any_connecting = false;
    for (size_t i = 0; i < pool->nconns && pool->head != NULL; i++) {
        db_session_t *c = &pool->conns[i];
        if (c->state == CONN_CONNECTING || c->state == CONN_PREPARING) {
            any_connecting = true;
        }
        if (c->state != CONN_IDLE) {
            continue;
        }
        waiter_t *w = queue_pop(pool);
        if (send_round(c, &w->round, w->cb, w->arg) != 0) {
            /* put it back at the head and drop this connection */
            w->next = pool->head;
            pool->head = w;
            if (pool->tail == NULL) {
                pool->tail = w;
            }
            pool->queued++;
            h2o_timeout_link(pool->loop, &pool->queue_timeout, &w->timeout);
            c->state = CONN_HELD;
            conn_fail(c);
            continue;
        }
        round_clear(&w->round);
        free(w);
    }
    (void)any_connecting;
    if (!db_pool_ready(pool) && !(pool->starting && any_connecting)) {
        waiter_t *w;
        while ((w = queue_pop(pool)) != NULL) {
            round_clear(&w->round);
            w->cb(NULL, w->arg, DNSAPI_EDB, NULL, 0);
            free(w);
        }
    }
}

static void on_queue_timeout(h2o_timeout_entry_t *entry)
{
    waiter_t *w = H2O_STRUCT_FROM_MEMBER(waiter_t, timeout, entry);
    db_pool_t *pool = w->pool;
    /* unlink w from the queue */
    waiter_t **pp = &pool->head, *prev = NULL;
    while (*pp != NULL && *pp != w) {
        prev = *pp;
        pp = &(*pp)->next;
    }
    if (*pp == w) {
        *pp = w->next;
        if (pool->tail == w) {
            pool->tail = prev;
        }
        pool->queued--;
    }
    round_clear(&w->round);
    w->cb(NULL, w->arg, DNSAPI_EBUSY, NULL, 0);
    free(w);
}

/* Runs deferred failures outside the caller's stack. */
typedef struct {
    h2o_timeout_entry_t entry;
    db_round_cb cb;
    void *arg;
    int status;
} deferred_t;

static void on_deferred(h2o_timeout_entry_t *entry)
{
    deferred_t *d = H2O_STRUCT_FROM_MEMBER(deferred_t, entry, entry);
    d->cb(NULL, d->arg, d->status, NULL, 0);
    free(d);
}

static void on_kick(h2o_timeout_entry_t *entry)
{
    db_pool_t *pool = H2O_STRUCT_FROM_MEMBER(db_pool_t, kick, entry);
    dispatch(pool);
}

static void defer_failure(db_pool_t *pool, db_round_cb cb, void *arg, int status)
{
    deferred_t *d = calloc(1, sizeof(*d));
    if (d == NULL) {
        abort();
    }
    d->entry.cb = on_deferred;
    d->cb = cb;
    d->arg = arg;
    d->status = status;
    h2o_timeout_link(pool->loop, &pool->zero, &d->entry);
}

void db_pool_run(db_pool_t *pool, const db_stmt_t *stmts, size_t n, db_round_cb cb, void *arg)
{
    if (!db_pool_ready(pool) && !pool->starting) {
        defer_failure(pool, cb, arg, DNSAPI_EDB);
        return;
    }
    if (pool->queued >= pool->max_queue) {
        defer_failure(pool, cb, arg, DNSAPI_EBUSY);
        return;
    }
    waiter_t *w = calloc(1, sizeof(*w));
    if (w == NULL || round_copy(&w->round, stmts, n) != 0) {
        free(w);
        defer_failure(pool, cb, arg, DNSAPI_EINTERNAL);
        return;
    }
    w->cb = cb;
    w->arg = arg;
    w->pool = pool;
    w->timeout.cb = on_queue_timeout;
    if (pool->tail != NULL) {
        pool->tail->next = w;
    } else {
        pool->head = w;
    }
    pool->tail = w;
    pool->queued++;
    h2o_timeout_link(pool->loop, &pool->queue_timeout, &w->timeout);
    if (!h2o_timeout_is_linked(&pool->kick)) {
        h2o_timeout_link(pool->loop, &pool->zero, &pool->kick);
    }
}

void db_session_next(db_session_t *c, const db_stmt_t *stmts, size_t n, db_round_cb cb, void *arg)
{
    round_t r;
    if (c == NULL || c->state != CONN_HELD) {
        defer_failure(c != NULL ? c->pool : NULL, cb, arg, DNSAPI_EDB);
        return;
    }
    if (round_copy(&r, stmts, n) != 0) {
        defer_failure(c->pool, cb, arg, DNSAPI_EINTERNAL);
        return;
    }
    int rc = send_round(c, &r, cb, arg);
    round_clear(&r);
    if (rc != 0) {
        c->cb = cb;
        c->arg = arg;
        c->state = CONN_BUSY;
        conn_fail(c);
    }
}

static const db_stmt_t rollback_stmt = {"rollback", 0, {NULL}};

void db_session_end(db_session_t *c)
{
    if (c == NULL || c->state != CONN_HELD) {
        return; /* a dead session: its connection is already reconnecting */
    }
    if (PQtransactionStatus(c->pg) != PQTRANS_IDLE) {
        round_t r;
        if (round_copy(&r, &rollback_stmt, 1) == 0 && send_round(c, &r, NULL, NULL) == 0) {
            round_clear(&r);
            c->rollback = true;
            return;
        }
        round_clear(&r);
        conn_fail(c);
        return;
    }
    c->state = CONN_IDLE;
    if (c->pool->head != NULL && !h2o_timeout_is_linked(&c->pool->kick)) {
        h2o_timeout_link(c->pool->loop, &c->pool->zero, &c->pool->kick);
    }
}

db_pool_t *db_pool_new(h2o_loop_t *loop, const char *conninfo, size_t nconns, size_t max_queue,
                       unsigned round_timeout_ms)
{
    db_pool_t *pool = calloc(1, sizeof(*pool));
    if (pool == NULL) {
        return NULL;
    }
    pool->loop = loop;
    pool->conninfo = strdup(conninfo);
    pool->nconns = nconns;
    pool->max_queue = max_queue;
    pool->starting = true;
    pool->conns = calloc(nconns, sizeof(*pool->conns));
    if (pool->conninfo == NULL || pool->conns == NULL) {
        free(pool->conninfo);
        free(pool->conns);
        free(pool);
        return NULL;
    }
    h2o_timeout_init(loop, &pool->round_timeout, round_timeout_ms);
    h2o_timeout_init(loop, &pool->queue_timeout, QUEUE_TIMEOUT_MS);
    for (int i = 0; i < N_RETRY_STEPS; i++) {
        h2o_timeout_init(loop, &pool->retry_timeout[i], (uint64_t)RETRY_MIN_MS << i);
    }
    h2o_timeout_init(loop, &pool->zero, 0);
    pool->kick.cb = on_kick;
    for (size_t i = 0; i < nconns; i++) {
        db_session_t *c = &pool->conns[i];
        c->pool = pool;
        c->fd = -1;
        c->retry_step = 0;
        c->timer.cb = on_timer;
        conn_start(c);
    }
    return pool;
}

void db_pool_free(db_pool_t *pool)
{
    if (pool == NULL) {
        return;
    }
    pool->closing = true;
    waiter_t *w;
    while ((w = queue_pop(pool)) != NULL) {
        round_clear(&w->round);
        w->cb(NULL, w->arg, DNSAPI_EDB, NULL, 0);
        free(w);
    }
    for (size_t i = 0; i < pool->nconns; i++) {
        db_session_t *c = &pool->conns[i];
        if (h2o_timeout_is_linked(&c->timer)) {
            h2o_timeout_unlink(&c->timer);
        }
        sock_close(c);
        if (c->pg != NULL) {
            PQfinish(c->pg);
        }
        clear_results(c);
        free(c->res);
    }
    if (h2o_timeout_is_linked(&pool->kick)) {
        h2o_timeout_unlink(&pool->kick);
    }
    h2o_timeout_dispose(pool->loop, &pool->round_timeout);
    h2o_timeout_dispose(pool->loop, &pool->queue_timeout);
    for (int i = 0; i < N_RETRY_STEPS; i++) {
        h2o_timeout_dispose(pool->loop, &pool->retry_timeout[i]);
    }
    h2o_timeout_dispose(pool->loop, &pool->zero);
    free(pool->conns);
    free(pool->conninfo);
    free(pool);
}

void db_pool_stats(const db_pool_t *pool, db_pool_stats_t *out)
{
    memset(out, 0, sizeof(*out));
    out->connections = pool->nconns;
    for (size_t i = 0; i < pool->nconns; i++) {
        conn_state_t st = pool->conns[i].state;
        if (st == CONN_IDLE) {
            out->ready++;
        } else if (st == CONN_BUSY || st == CONN_HELD) {
            out->ready++;
            out->busy++;
        }
    }
    out->queued = pool->queued;
    out->rounds = pool->rounds;
    out->errors = pool->errors;
}
