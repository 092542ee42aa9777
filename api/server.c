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
#include "api/router.h"

#define DB_CONNS_PER_THREAD 4
#define DB_QUEUE_PER_THREAD 4096
#define DRAIN_SECONDS 10

static atomic_int stopping;

typedef struct {
    api_thread_t t;
    h2o_globalconf_t *globalconf;
    h2o_accept_ctx_t accept_ctx;
    h2o_socket_t *listener;
    int fd;
    pthread_t tid;
    int rc;
} worker_t;

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
        h2o_accept(&w->accept_ctx, sock);
    }
}

static void *worker_main(void *arg)
{
    worker_t *w = arg;
    h2o_evloop_t *loop = h2o_evloop_create();
    h2o_context_init(&w->t.ctx, loop, w->globalconf);
    w->t.db = db_pool_new(loop, w->t.cfg->database_url, DB_CONNS_PER_THREAD, DB_QUEUE_PER_THREAD);
    w->accept_ctx.ctx = &w->t.ctx;
    w->accept_ctx.hosts = w->globalconf->hosts;
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
    /* h2o refuses bodies above this on its own; the router answers 413 with
     * the JSON envelope for bodies between the configured limit and this. */
    globalconf.max_request_entity_size = cfg->max_body * 2 + 65536;
    h2o_hostconf_t *host =
        h2o_config_register_host(&globalconf, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    router_register(host);

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
    fprintf(stderr, "{\"level\":\"info\",\"msg\":\"stopped\"}\n");
    return 0;
}
