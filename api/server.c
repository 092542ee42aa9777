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
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "api/api.h"
#include "api/auth.h"
#include "api/conn.h"
#include "api/dns_listener.h"
#include "api/metrics.h"
#include "api/tls.h"
#include "common/log.h"

#define DB_CONNS_PER_THREAD 4
#define DB_QUEUE_PER_THREAD 4096
#define DRAIN_SECONDS 10
/* DNSAPI_MAX_CONNECTIONS when unset: this many, or fewer when the
 * descriptor limit does not leave room for them. */
#define DEFAULT_MAX_CONNECTIONS 10000

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
    conn_loop_t cl;
    conn_limits_t *lim;
    /* DNSAPI_UPDATE_LISTEN: this loop's UDP and TCP sockets (-1: off) */
    int dns_udp_fd, dns_tcp_fd;
    dns_tsig_replay_t *replay;
    dns_listener_t *dns;
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

/* Serves sock on w; w->t.connections and the limits already count it. */
static void serve(worker_t *w, h2o_socket_t *sock)
{
    conn_track(&w->cl, sock, on_conn_closed, &w->t);
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
            conn_release(w->lim);
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
        if (!conn_admit(w->lim)) {
            conn_refuse(&w->cl, sock, w->accept_ctx.ssl_ctx != NULL);
            continue;
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
    conn_loop_init(&w->cl, &w->t.ctx, w->lim);
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
    if (w->dns_udp_fd >= 0) {
        w->dns = dns_listener_start(&w->t, w->dns_udp_fd, w->dns_tcp_fd, w->replay);
    }

    while (!atomic_load(&stopping)) {
        h2o_evloop_run(loop, 100);
    }
    /* Stop accepting; let what is in flight finish. */
    h2o_socket_read_stop(w->listener);
    h2o_socket_close(w->listener);
    dns_listener_stop(w->dns);
    time_t until = time(NULL) + DRAIN_SECONDS;
    while (w->t.in_flight > 0 && time(NULL) < until) {
        h2o_evloop_run(loop, 50);
    }
    dns_listener_free(w->dns);
    /* A few more turns so that responses are flushed, then close what is
     * left (idle keep-alive connections). */
    for (int i = 0; i < 5; i++) {
        h2o_evloop_run(loop, 10);
    }
    conn_loop_close_all(&w->cl);
    if (w->t.dns != NULL && w->t.dns_checks == 0) {
        /* a check outlasting the drain keeps its client: freeing it under
         * the check would leave the check pointing into freed groups */
        dns_client_free(w->t.dns);
        for (int i = 0; i < 5; i++) {
            h2o_evloop_run(loop, 0);
        }
    }
    w->t.dns = NULL;
    db_pool_free(w->t.db);
    w->t.db = NULL;
    h2o_multithread_unregister_receiver(w->queue, &w->handoff);
    h2o_multithread_destroy_queue(w->queue);
    /* every client connection is closed (conn_loop_close_all), so nothing
     * of h2o's refers to the context any more */
    if (conn_loop_dispose(&w->cl)) {
        h2o_context_dispose(&w->t.ctx);
        h2o_evloop_destroy(loop);
    }
    return NULL;
}

/* The cap on connections: DNSAPI_MAX_CONNECTIONS, or the default; either
 * must leave descriptors for the listeners, the database connections and
 * the refusals being answered. The soft descriptor limit is raised to the
 * hard one first. Returns the cap, or -1 with err filled. */
static int connection_cap(const dnsapi_config_t *cfg, int threads, char *err, size_t errlen)
{
    struct rlimit rl;
    long avail = 1024;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        if (rl.rlim_cur < rl.rlim_max) {
            rl.rlim_cur = rl.rlim_max;
            setrlimit(RLIMIT_NOFILE, &rl);
            getrlimit(RLIMIT_NOFILE, &rl);
        }
        avail = rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 1048576 ? 1048576 : (long)rl.rlim_cur;
    }
    long reserve = 64 + (long)threads * (1 + DB_CONNS_PER_THREAD + CONN_MAX_REFUSALS_PER_LOOP);
    long room = avail - reserve;
    if (cfg->max_connections > 0) {
        if (cfg->max_connections > room) {
            snprintf(err, errlen,
                     "DNSAPI_MAX_CONNECTIONS: %d connections need %ld file descriptors but the "
                     "limit is %ld; raise it (LimitNOFILE= in systemd, ulimit -n) or lower "
                     "DNSAPI_MAX_CONNECTIONS",
                     cfg->max_connections, cfg->max_connections + reserve, avail);
            return -1;
        }
        return cfg->max_connections;
    }
    if (room < 16) {
        snprintf(err, errlen,
                 "the file descriptor limit (%ld) is too low; raise it to at least %ld", avail,
                 reserve + 1024);
        return -1;
    }
    return room < DEFAULT_MAX_CONNECTIONS ? (int)room : DEFAULT_MAX_CONNECTIONS;
}

static const char *http2_name(int mode)
{
    return mode == DNSAPI_HTTP2_OFF ? "off" : mode == DNSAPI_HTTP2_ALL ? "all" : "tls";
}

/* Timeouts: h2o's own where it has them, the watchdog of api/conn.c for
 * the rest. HTTP/2 in cleartext is off unless DNSAPI_HTTP2=all: h2o 2.2
 * would otherwise take the HTTP/2 preface or an Upgrade: h2c on the plain
 * port. */
static void globalconf_setup(h2o_globalconf_t *gc, const dnsapi_config_t *cfg)
{
    gc->server_name = h2o_iovec_init(H2O_STRLIT("dnsapi"));
    /* h2o refuses bodies above the larger limit on its own (answered with
     * the JSON envelope, api/request.c); the lifecycle holds JSON bodies to
     * the smaller one. */
    gc->max_request_entity_size =
        cfg->max_import_body > cfg->max_body ? cfg->max_import_body : cfg->max_body;
    gc->http1.upgrade_to_http2 = cfg->http2 == DNSAPI_HTTP2_ALL;
    /* h2o's one HTTP/1 timer covers idle wait, headers and body together:
     * a backstop behind the watchdog's separate limits */
    gc->http1.req_timeout = (uint64_t)cfg->idle_timeout_ms + (uint64_t)cfg->header_timeout_ms +
                            (uint64_t)cfg->body_timeout_ms + 5000;
    gc->http2.idle_timeout = (uint64_t)cfg->idle_timeout_ms;
    gc->handshake_timeout = (uint64_t)cfg->header_timeout_ms;
}

static void log_listening(const dnsapi_config_t *cfg, int threads, const conn_limits_t *lim,
                          bool tls)
{
    char listen[DNSAPI_NAME_MAX + 16];
    snprintf(listen, sizeof(listen), "%s:%u", cfg->listen.host, cfg->listen.port);
    log_line_t l;
    log_line_begin(&l, LOG_LEVEL_INFO, "listening");
    log_line_str(&l, "listen", listen);
    log_line_int(&l, "threads", threads);
    log_line_bool(&l, "tls", tls);
    log_line_str(&l, "http2", http2_name(cfg->http2));
    log_line_int(&l, "max_connections", lim->max_connections);
    log_line_int(&l, "header_timeout_ms", lim->header_timeout_ms);
    log_line_int(&l, "body_timeout_ms", lim->body_timeout_ms);
    log_line_int(&l, "idle_timeout_ms", lim->idle_timeout_ms);
    log_line_int(&l, "jwt_keys", 1 + (long long)cfg->n_jwt_previous);
    if (cfg->has_update_listen) {
        char update[DNSAPI_NAME_MAX + 16];
        snprintf(update, sizeof(update), "%s:%u", cfg->update_listen.host, cfg->update_listen.port);
        log_line_str(&l, "update_listen", update);
    }
    log_line_bool(&l, "rate_limit", cfg->has_rate_limit != 0);
    log_line_end(&l);
}

/* Verification keys for the whole process (auth_keyring_install). */
static auth_keyring_t keyring;
/* The key TSIG secrets are sealed with, for every loop. */
static seal_key_t seal;

int api_server_run(const dnsapi_config_t *cfg)
{
    char err[512];
    int n = cfg->threads;
    static conn_limits_t lim;
    SSL_CTX *ssl_ctx = NULL;
    h2o_globalconf_t globalconf;
    int cap = connection_cap(cfg, n, err, sizeof(err));
    if (cap < 0) {
        LOG_EVENT(LOG_LEVEL_ERROR, "%s", err);
        return -1;
    }
    memset(&lim, 0, sizeof(lim));
    lim.max_connections = cap;
    lim.header_timeout_ms = cfg->header_timeout_ms;
    lim.body_timeout_ms = cfg->body_timeout_ms;
    lim.idle_timeout_ms = cfg->idle_timeout_ms;
    if (cfg->tls_cert[0] != '\0' && (ssl_ctx = tls_context_new(cfg, err, sizeof(err))) == NULL) {
        LOG_EVENT(LOG_LEVEL_ERROR, "%s", err);
        return -1;
    }
    worker_t *workers = calloc((size_t)n, sizeof(*workers));
    if (workers == NULL) {
        SSL_CTX_free(ssl_ctx);
        return -1;
    }
    dnsapi_err_t serr;
    if (seal_key_init(&seal, cfg->secrets_key, cfg->jwt_secret, &serr) != DNSAPI_OK) {
        LOG_EVENT(LOG_LEVEL_ERROR, "%s", serr.message);
        free(workers);
        SSL_CTX_free(ssl_ctx);
        return -1;
    }
    ratelimit_t *rate = NULL;
    if (cfg->has_rate_limit && (rate = ratelimit_new(RATELIMIT_DEFAULT_SLOTS, 0)) == NULL) {
        LOG_EVENT(LOG_LEVEL_ERROR, "out of memory for the rate-limit table");
        free(workers);
        SSL_CTX_free(ssl_ctx);
        seal_key_clear(&seal);
        return -1;
    }
    auth_keyring_init(&keyring, cfg);
    auth_keyring_install(&keyring);
    signal(SIGPIPE, SIG_IGN);
    h2o_config_init(&globalconf);
    globalconf_setup(&globalconf, cfg);
    h2o_hostconf_t *host =
        h2o_config_register_host(&globalconf, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    api_request_register(host);
    conn_hook_host(host);

    for (int i = 0; i < n; i++) {
        workers[i].fd = listen_socket(&cfg->listen, err, sizeof(err));
        if (workers[i].fd < 0) {
            LOG_EVENT(LOG_LEVEL_ERROR, "%s", err);
            for (int k = 0; k < i; k++) {
                close(workers[k].fd);
            }
            free(workers);
            h2o_config_dispose(&globalconf);
            SSL_CTX_free(ssl_ctx);
            ratelimit_free(rate);
            return -1;
        }
    }

    dns_tsig_replay_t *replay = NULL;
    for (int i = 0; i < n; i++) {
        workers[i].dns_udp_fd = workers[i].dns_tcp_fd = -1;
    }
    if (cfg->has_update_listen) {
        replay = dns_tsig_replay_new(0);
        for (int i = 0; replay != NULL && i < n; i++) {
            workers[i].replay = replay;
            if (dns_listener_bind(&cfg->update_listen, &workers[i].dns_udp_fd,
                                  &workers[i].dns_tcp_fd, err, sizeof(err)) != DNSAPI_OK) {
                LOG_EVENT(LOG_LEVEL_ERROR, "%s", err);
                for (int k = 0; k <= i; k++) {
                    close(workers[k].fd);
                    if (workers[k].dns_udp_fd >= 0) {
                        close(workers[k].dns_udp_fd);
                        close(workers[k].dns_tcp_fd);
                    }
                }
                for (int k = i + 1; k < n; k++) {
                    close(workers[k].fd);
                }
                dns_tsig_replay_free(replay);
                free(workers);
                h2o_config_dispose(&globalconf);
                SSL_CTX_free(ssl_ctx);
                return -1;
            }
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
        workers[i].lim = &lim;
        workers[i].accept_ctx.ssl_ctx = ssl_ctx;
    }
    for (int i = 0; i < n; i++) {
        workers[i].t.cfg = cfg;
        workers[i].t.seal = &seal;
        workers[i].t.rate = rate;
        workers[i].t.index = i;
        workers[i].globalconf = &globalconf;
        if (pthread_create(&workers[i].tid, NULL, worker_main, &workers[i]) != 0) {
            LOG_EVENT(LOG_LEVEL_ERROR, "cannot start thread %d", i);
            atomic_store(&stopping, 1);
            n = i;
            break;
        }
    }
    log_listening(cfg, n, &lim, ssl_ctx != NULL);
    int sig = 0;
    if (!atomic_load(&stopping)) {
        sigwait(&set, &sig);
    }
    log_line_t l;
    log_line_begin(&l, LOG_LEVEL_INFO, "stopping");
    log_line_int(&l, "signal", sig);
    log_line_end(&l);
    atomic_store(&stopping, 1);
    for (int i = 0; i < n; i++) {
        pthread_join(workers[i].tid, NULL);
    }
    free(workers);
    dns_tsig_replay_free(replay);
    h2o_config_dispose(&globalconf);
    SSL_CTX_free(ssl_ctx);
    auth_keyring_install(NULL);
    seal_key_clear(&seal);
    ratelimit_free(rate);
    log_line_begin(&l, LOG_LEVEL_INFO, "stopped");
    log_line_int(&l, "connections_refused", (long long)atomic_load(&lim.refused));
    log_line_int(&l, "connections_timed_out", (long long)atomic_load(&lim.timed_out));
    log_line_int(&l, "connections_closed_for_resets", (long long)atomic_load(&lim.reset_closed));
    log_line_end(&l);
    return 0;
}
