/* The DNS UPDATE listener's sockets (see dns_listener.h). */
#include "api/dns_listener.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <h2o.h>

#include "api/dns_handler.h"
#include "common/log.h"

#define DNS_MSG_MAX 65535

typedef struct tcp_conn tcp_conn_t;

struct dns_listener {
    api_thread_t *t;
    dns_tsig_replay_t *replay;
    int udp_fd;
    h2o_socket_t *udp, *tcp;
    bool stopped, freed;
    size_t pending; /* answers still to come (UDP datagrams, busy connections) */
    h2o_linklist_t conns;
    size_t n_conns;
    h2o_timeout_t idle_timeout;
    uint8_t buf[DNS_MSG_MAX];
};

struct tcp_conn {
    h2o_linklist_t link;
    dns_listener_t *l;
    h2o_socket_t *sock; /* NULL once closed */
    h2o_timeout_entry_t idle;
    bool busy;    /* a message is being answered */
    bool writing; /* its answer is being written */
    uint8_t *out; /* the answer with its length, while writing */
};

typedef struct {
    dns_listener_t *l;
    struct sockaddr_storage peer;
    socklen_t peer_len;
} udp_peer_t;

static int bind_one(const struct addrinfo *ai, int type, char *err, size_t errlen, const char *hp)
{
    int fd = socket(ai->ai_family, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    int on = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0 ||
        setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on)) != 0 ||
        bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 ||
        (type == SOCK_STREAM && listen(fd, SOMAXCONN) != 0)) {
        snprintf(err, errlen, "DNSAPI_UPDATE_LISTEN: cannot listen on %s (%s): %s", hp,
                 type == SOCK_STREAM ? "tcp" : "udp", strerror(errno));
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    return fd;
}

int dns_listener_bind(const dnsapi_hostport_t *hp, int *udp_fd, int *tcp_fd, char *err,
                      size_t errlen)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV | AI_NUMERICHOST};
    struct addrinfo *res = NULL;
    char port[8], where[DNSAPI_NAME_MAX + 16];
    snprintf(port, sizeof(port), "%u", hp->port);
    snprintf(where, sizeof(where), "%s:%u", hp->host, hp->port);
    int gai = getaddrinfo(hp->host, port, &hints, &res);
    if (gai != 0) {
        snprintf(err, errlen, "DNSAPI_UPDATE_LISTEN: %s: %s", where, gai_strerror(gai));
        return DNSAPI_EIO;
    }
    *udp_fd = bind_one(res, SOCK_DGRAM, err, errlen, where);
    *tcp_fd = *udp_fd < 0 ? -1 : bind_one(res, SOCK_STREAM, err, errlen, where);
    freeaddrinfo(res);
    if (*tcp_fd < 0) {
        if (*udp_fd >= 0) {
            close(*udp_fd);
        }
        *udp_fd = -1;
        return DNSAPI_EIO;
    }
    return DNSAPI_OK;
}

/* Frees l once it is freed and nothing is pending. */
static void maybe_release(dns_listener_t *l)
{
    if (l->freed && l->pending == 0 && h2o_linklist_is_empty(&l->conns)) {
        h2o_timeout_dispose(l->t->ctx.loop, &l->idle_timeout);
        free(l);
    }
}

/* ---- UDP ------------------------------------------------------------------- */

static void on_udp_answer(void *ctx, const uint8_t *answer, size_t len)
{
    udp_peer_t *p = ctx;
    dns_listener_t *l = p->l;
    if (len > 0 && l->udp != NULL) {
        /* a full socket buffer drops the answer, as the network may: the
         * client asks again */
        (void)sendto(l->udp_fd, answer, len, MSG_DONTWAIT, (struct sockaddr *)&p->peer,
                     p->peer_len);
    }
    free(p);
    l->pending--;
    maybe_release(l);
}

static void on_udp_readable(h2o_socket_t *sock, const char *err)
{
    dns_listener_t *l = sock->data;
    if (err != NULL || l->stopped) {
        return;
    }
    for (int i = 0; i < DNS_UDP_BURST; i++) {
        udp_peer_t *p = calloc(1, sizeof(*p));
        if (p == NULL) {
            abort();
        }
        p->peer_len = sizeof(p->peer);
        ssize_t n = recvfrom(l->udp_fd, l->buf, sizeof(l->buf), MSG_DONTWAIT,
                             (struct sockaddr *)&p->peer, &p->peer_len);
        if (n < 0) {
            free(p);
            break; /* EAGAIN: all read; anything else: try again on the next wakeup */
        }
        p->l = l;
        l->pending++;
        dns_handle(l->t, l->replay, l->buf, (size_t)n, false, on_udp_answer, p);
    }
}

/* ---- TCP ------------------------------------------------------------------- */

static void conn_close(tcp_conn_t *c)
{
    if (h2o_timeout_is_linked(&c->idle)) {
        h2o_timeout_unlink(&c->idle);
    }
    if (c->sock != NULL) {
        h2o_socket_close(c->sock); /* no callback comes after this */
        c->sock = NULL;
    }
    free(c->out);
    c->out = NULL;
    c->writing = false;
    if (c->busy) {
        return; /* the answer still comes: freed then */
    }
    h2o_linklist_unlink(&c->link);
    c->l->n_conns--;
    dns_listener_t *l = c->l;
    free(c);
    maybe_release(l);
}

static void conn_wait(tcp_conn_t *c)
{
    if (!h2o_timeout_is_linked(&c->idle)) {
        h2o_timeout_link(c->l->t->ctx.loop, &c->l->idle_timeout, &c->idle);
    }
}

static void on_idle(h2o_timeout_entry_t *entry)
{
    tcp_conn_t *c = H2O_STRUCT_FROM_MEMBER(tcp_conn_t, idle, entry);
    conn_close(c);
}

static void conn_next(tcp_conn_t *c);

static void on_tcp_written(h2o_socket_t *sock, const char *err)
{
    tcp_conn_t *c = sock->data;
    free(c->out);
    c->out = NULL;
    c->writing = false;
    if (err != NULL || c->l->stopped) {
        conn_close(c);
        return;
    }
    conn_wait(c); /* the idle time starts again after each answer */
    conn_next(c);
}

static void on_tcp_answer(void *ctx, const uint8_t *answer, size_t len)
{
    tcp_conn_t *c = ctx;
    dns_listener_t *l = c->l;
    c->busy = false;
    l->pending--;
    if (c->sock == NULL) {
        conn_close(c); /* closed meanwhile: only the memory is left */
        return;
    }
    if (len == 0) {
        conn_close(c); /* nothing to say (a response sent to us): hang up */
        return;
    }
    c->out = malloc(len + 2);
    if (c->out == NULL) {
        abort();
    }
    c->out[0] = (uint8_t)(len >> 8);
    c->out[1] = (uint8_t)len;
    memcpy(c->out + 2, answer, len);
    c->writing = true;
    h2o_iovec_t buf = h2o_iovec_init(c->out, len + 2);
    h2o_socket_write(c->sock, &buf, 1, on_tcp_written);
}

static void on_tcp_read(h2o_socket_t *sock, const char *err);

/* Starts on the next complete message of c, if there is one; reads on
 * when there is none and nothing is in flight. */
static void conn_next(tcp_conn_t *c)
{
    if (c->busy || c->writing || c->sock == NULL) {
        return;
    }
    h2o_buffer_t *in = c->sock->input;
    if (in->size >= 2) {
        size_t n = ((size_t)(uint8_t)in->bytes[0] << 8) | (uint8_t)in->bytes[1];
        if (n == 0) {
            conn_close(c); /* a message of no octets cannot be answered */
            return;
        }
        if (in->size >= n + 2) {
            h2o_socket_read_stop(c->sock); /* one message at a time */
            if (h2o_timeout_is_linked(&c->idle)) {
                h2o_timeout_unlink(&c->idle);
            }
            c->busy = true;
            dns_listener_t *l = c->l;
            l->pending++;
            /* taken off the input first: the answer may come (and close
             * c) before dns_handle returns */
            memcpy(l->buf, in->bytes + 2, n);
            h2o_buffer_consume(&c->sock->input, n + 2);
            dns_handle(l->t, l->replay, l->buf, n, true, on_tcp_answer, c);
            return;
        }
    }
    h2o_socket_read_start(c->sock, on_tcp_read);
}

static void on_tcp_read(h2o_socket_t *sock, const char *err)
{
    tcp_conn_t *c = sock->data;
    if (err != NULL) {
        conn_close(c);
        return;
    }
    conn_next(c);
}

static void on_accept(h2o_socket_t *listener, const char *err)
{
    dns_listener_t *l = listener->data;
    if (err != NULL || l->stopped) {
        return;
    }
    for (int i = 0; i < 16; i++) {
        h2o_socket_t *sock = h2o_evloop_socket_accept(listener);
        if (sock == NULL) {
            break;
        }
        if (l->n_conns >= DNS_TCP_MAX_CONNS) {
            h2o_socket_close(sock);
            continue;
        }
        tcp_conn_t *c = calloc(1, sizeof(*c));
        if (c == NULL) {
            abort();
        }
        c->l = l;
        c->sock = sock;
        c->idle.cb = on_idle;
        sock->data = c;
        h2o_linklist_insert(&l->conns, &c->link);
        l->n_conns++;
        conn_wait(c);
        h2o_socket_read_start(sock, on_tcp_read);
    }
}

dns_listener_t *dns_listener_start(api_thread_t *t, int udp_fd, int tcp_fd,
                                   dns_tsig_replay_t *replay)
{
    dns_listener_t *l = calloc(1, sizeof(*l));
    if (l == NULL) {
        abort();
    }
    l->t = t;
    l->replay = replay;
    l->udp_fd = udp_fd;
    h2o_linklist_init_anchor(&l->conns);
    h2o_timeout_init(t->ctx.loop, &l->idle_timeout, DNS_TCP_IDLE_MS);
    l->udp = h2o_evloop_socket_create(t->ctx.loop, udp_fd, H2O_SOCKET_FLAG_DONT_READ);
    l->udp->data = l;
    h2o_socket_read_start(l->udp, on_udp_readable);
    l->tcp = h2o_evloop_socket_create(t->ctx.loop, tcp_fd, H2O_SOCKET_FLAG_DONT_READ);
    l->tcp->data = l;
    h2o_socket_read_start(l->tcp, on_accept);
    return l;
}

void dns_listener_stop(dns_listener_t *l)
{
    if (l == NULL || l->stopped) {
        return;
    }
    l->stopped = true;
    h2o_socket_read_stop(l->udp); /* answers in flight are still sent */
    h2o_socket_read_stop(l->tcp);
    h2o_socket_close(l->tcp);
    l->tcp = NULL;
}

void dns_listener_free(dns_listener_t *l)
{
    if (l == NULL) {
        return;
    }
    dns_listener_stop(l);
    if (l->udp != NULL) {
        h2o_socket_close(l->udp); /* closes udp_fd */
        l->udp = NULL;
    }
    l->freed = true;
    while (!h2o_linklist_is_empty(&l->conns)) {
        tcp_conn_t *c = H2O_STRUCT_FROM_MEMBER(tcp_conn_t, link, l->conns.next);
        if (c->sock == NULL) {
            /* closed, its answer still to come: keep it, out of the list */
            h2o_linklist_unlink(&c->link);
            h2o_linklist_init_anchor(&c->link);
            continue;
        }
        conn_close(c);
    }
    maybe_release(l);
}
