#include "api/server.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "api/api.h"
#include "api/metrics.h"

#define DB_CONNS_PER_THREAD 4
#define DB_QUEUE_PER_THREAD 4096
#define DRAIN_SECONDS 10

static atomic_int stopping;

typedef struct worker {
    api_thread_t t;
    h2o_globalconf_t *globalconf;
    h2o_accept_ctx_t accept_ctx;
    h2o_socket_t *listener;
    int fd;
    pthread_t tid;
    int rc;
    /* connections handed over by other loops */
    h2o_multithread_queue_t *queue;
    h2o_multithread_receiver_t handoff;
    struct worker *all; /* every worker, n of them */
    int n;
} worker_t;

/* A connection accepted by one loop and given to another. */
typedef struct {
    h2o_multithread_message_t super;
    h2o_socket_export_t info;
} handoff_t;

static atomic_int workers_ready;

static int listen_socket(const dnsapi_hostport_t *hp, char *err, size_t errlen)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *res = NULL;
    char port[8];
    snprintf(port, sizeof(port), "%u", hp->port);
    int gai = getaddrinfo(hp->host, port, &hints, &res);
    if (gai != 0) {
        snprintf(err, errlen, "DNSAPI_LISTEN: cannot resolve %s: %s", hp->host, gai_strerror(gai));
        return -1;
    }
    int fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    int on = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0 ||
        setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on)) != 0 ||
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on)) != 0 ||
        bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, SOMAXCONN) != 0) {
        snprintf(err, errlen, "DNSAPI_LISTEN: cannot listen on %s:%u: %s", hp->host, hp->port,
                 strerror(errno));
        if (fd >= 0) {
            close(fd);
        }
        freeaddrinfo(res);
        return -1;
    }
    freeaddrinfo(res);
    return fd;
}

static void on_conn_closed(void *data)
{
    api_thread_t *t = data;
    atomic_fetch_sub(&t->connections, 1);
}

/* Serves sock on w; w->t.connections already counts it. */
static void serve(worker_t *w, h2o_socket_t *sock)
{
    sock->on_close.cb = on_conn_closed;
    sock->on_close.data = &w->t;
    h2o_accept(&w->accept_ctx, sock);
}

static void on_handoff(h2o_multithread_receiver_t *receiver, h2o_linklist_t *messages)
{
    worker_t *w = H2O_STRUCT_FROM_MEMBER(worker_t, handoff, receiver);
    while (!h2o_linklist_is_empty(messages)) {
        handoff_t *m = H2O_STRUCT_FROM_MEMBER(handoff_t, super.link, messages->next);
        h2o_linklist_unlink(&m->super.link);
        h2o_socket_t *sock = h2o_socket_import(w->t.ctx.loop, &m->info);
        if (sock != NULL) {
            serve(w, sock);
        } else {
            atomic_fetch_sub(&w->t.connections, 1);
        }
        free(m);
    }
}

/* Keeps the loops' shares of client connections even. The kernel spreads
 * connections over the SO_REUSEPORT listeners by a hash, so 64 connections
 * often land 40 on one loop and 24 on the other; each loop has the same
 * number of database connections, so the busier loop's clients would wait
 * longer and the slowest requests would be much slower than the rest. A
 * loop that accepts while it holds more connections than another hands the
 * new one over. */
static void on_accept(h2o_socket_t *listener, const char *err)
{
    worker_t *w = listener->data;
    if (err != NULL) {
        return;
    }
    for (int i = 0; i < 32; i++) {
        h2o_socket_t *sock = h2o_evloop_socket_accept(listener);
        if (sock == NULL) {
            break;
        }
        worker_t *to = w;
        int least = atomic_load(&w->t.connections);
        for (int k = 0; k < w->n; k++) {
            int c = atomic_load(&w->all[k].t.connections);
            if (c < least) {
                least = c;
                to = &w->all[k];
            }
        }
        atomic_fetch_add(&to->t.connections, 1);
        if (to != w) {
            handoff_t *m = calloc(1, sizeof(*m));
            if (m != NULL && h2o_socket_export(sock, &m->info) == 0) {
                h2o_multithread_send_message(&to->handoff, &m->super);
                continue;
            }
            /* not handed over (an export that fails leaves the socket as
             * it was): serve it here */
            free(m);
            atomic_fetch_sub(&to->t.connections, 1);
            atomic_fetch_add(&w->t.connections, 1);
        }
        serve(w, sock);
    }
}

static void *worker_main(void *arg)
{
    worker_t *w = arg;
    h2o_evloop_t *loop = h2o_evloop_create();
    h2o_context_init(&w->t.ctx, loop, w->globalconf);
    w->t.db = db_pool_new(loop, w->t.cfg->database_url, DB_CONNS_PER_THREAD, DB_QUEUE_PER_THREAD,
                          w->t.cfg->db_timeout_ms);
    w->t.metrics = api_metrics_new(w->t.index, &w->t.connections);
    w->accept_ctx.ctx = &w->t.ctx;
    w->accept_ctx.hosts = w->globalconf->hosts;
    w->queue = h2o_multithread_create_queue(loop);
    h2o_multithread_register_receiver(w->queue, &w->handoff, on_handoff);
    /* accept only once every loop can receive connections */
    atomic_fetch_add(&workers_ready, 1);
    while (atomic_load(&workers_ready) < w->n && !atomic_load(&stopping)) {
        h2o_evloop_run(loop, 1);
    }
    w->listener = h2o_evloop_socket_create(loop, w->fd, H2O_SOCKET_FLAG_DONT_READ);
    w->listener->data = w;
    h2o_socket_read_start(w->listener, on_accept);

    while (!atomic_load(&stopping)) {
        h2o_evloop_run(loop, 100);
    }
    /* Stop accepting; let what is in flight finish. */
    h2o_socket_read_stop(w->listener);
    h2o_socket_close(w->listener);
    time_t until = time(NULL) + DRAIN_SECONDS;
    while (w->t.in_flight > 0 && time(NULL) < until) {
        h2o_evloop_run(loop, 50);
    }
    /* A few more turns so that responses are flushed. */
    for (int i = 0; i < 5; i++) {
        h2o_evloop_run(loop, 10);
    }
    db_pool_free(w->t.db);
    w->t.db = NULL;
    h2o_multithread_unregister_receiver(w->queue, &w->handoff);
    h2o_multithread_destroy_queue(w->queue);
    /* h2o 2.2 keeps idle keep-alive connections on the context; the process
     * exits next, so the loop itself is left for the OS to reclaim. */
    return NULL;
}

int api_server_run(const dnsapi_config_t *cfg)
{
    char err[512];
    int n = cfg->threads;
    worker_t *workers = calloc((size_t)n, sizeof(*workers));
    h2o_globalconf_t globalconf;
    if (workers == NULL) {
        return -1;
    }
    signal(SIGPIPE, SIG_IGN);
    h2o_config_init(&globalconf);
    globalconf.server_name = h2o_iovec_init(H2O_STRLIT("dnsapi"));
    /* h2o refuses bodies above the larger limit on its own (answered with
     * the JSON envelope, api/request.c); the lifecycle holds JSON bodies to
     * the smaller one. */
    globalconf.max_request_entity_size =
        cfg->max_import_body > cfg->max_body ? cfg->max_import_body : cfg->max_body;
    h2o_hostconf_t *host =
        h2o_config_register_host(&globalconf, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    api_request_register(host);

    for (int i = 0; i < n; i++) {
        workers[i].fd = listen_socket(&cfg->listen, err, sizeof(err));
        if (workers[i].fd < 0) {
            fprintf(stderr, "dnsapi serve: %s\n", err);
            for (int k = 0; k < i; k++) {
                close(workers[k].fd);
            }
            free(workers);
            return -1;
        }
    }

    /* Workers inherit a mask without the stop signals; this thread waits
     * for them. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    atomic_store(&stopping, 0);
    atomic_store(&workers_ready, 0);
    for (int i = 0; i < n; i++) {
        workers[i].all = workers;
        workers[i].n = n;
    }
    for (int i = 0; i < n; i++) {
        workers[i].t.cfg = cfg;
        workers[i].t.index = i;
        workers[i].globalconf = &globalconf;
        if (pthread_create(&workers[i].tid, NULL, worker_main, &workers[i]) != 0) {
            fprintf(stderr, "dnsapi serve: cannot start thread %d\n", i);
            atomic_store(&stopping, 1);
            n = i;
            break;
        }
    }
    fprintf(stderr,
            "{\"level\":\"info\",\"msg\":\"listening\",\"listen\":\"%s:%u\",\"threads\":%d}\n",
            cfg->listen.host, cfg->listen.port, n);
    int sig = 0;
    if (!atomic_load(&stopping)) {
        sigwait(&set, &sig);
    }
    fprintf(stderr, "{\"level\":\"info\",\"msg\":\"stopping\",\"signal\":%d}\n", sig);
    atomic_store(&stopping, 1);
    for (int i = 0; i < n; i++) {
        pthread_join(workers[i].tid, NULL);
    }
    free(workers);
    h2o_config_dispose(&globalconf);
    fprintf(stderr, "{\"level\":\"info\",\"msg\":\"stopped\"}\n");
    return 0;
}
