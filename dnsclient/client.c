/*
 * client.c - DNS queries on the h2o loop.
 *
 * A query goes through these states, each with one owner of its socket
 * and timer:
 *
 *   WAITING  --start-->  UDP  --TC reply-->  TCP_CONNECT -> TCP_WRITE -> TCP_READ
 *      |                  |                        |            |           |
 *      +------------------+------------------------+------------+-----------+--> finish
 *
 * finish() is the one exit: it closes the socket, unlinks the timer, takes
 * the query out of its group and the client's counts, runs the callback
 * and frees the query. Everything the callback may do (add queries, free
 * the group) happens after the query is detached, so nothing it does can
 * pull the query out from under us; a group freed inside a callback is
 * only marked, and really freed when the outermost callback returns.
 *
 * Longer than our usual 600 lines on purpose: the states, the one exit and
 * the rules about who may free what must be read together.
 */
#include "dnsclient/client.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dns/reply.h"

#define UDP_READS_PER_WAKEUP 16
#define TCP_REPLY_MAX 65535

typedef enum {
    Q_WAITING,
    Q_UDP,
    Q_TCP_CONNECT,
    Q_TCP_WRITE,
    Q_TCP_READ,
    Q_DEFERRED, /* ends on the next turn of the loop */
} query_state_t;

struct dns_client {
    h2o_loop_t *loop;
    dns_client_opts_t opts;
    h2o_timeout_t attempt_timeout, deadline_timeout, zero_timeout;
    h2o_linklist_t waiting; /* queries not started: max_inflight reached */
    h2o_linklist_t groups;
    size_t inflight;
    uint8_t rbuf[65536];
};

struct dns_client_group {
    dns_client_t *c;
    h2o_linklist_t link;    /* in c->groups */
    h2o_linklist_t queries; /* every query not finished */
    h2o_timeout_entry_t deadline;
    h2o_timeout_entry_t kick;
    bool expired;
    unsigned busy;   /* callbacks of this group running */
    bool free_asked; /* freed inside a callback */
    dns_client_idle_cb on_idle;
    void *data;
};

typedef struct {
    dns_client_group_t *g;
    h2o_linklist_t group_link;
    h2o_linklist_t wait_link;
    query_state_t state;
    struct sockaddr_storage addr;
    socklen_t addrlen;
    char where[DNSAPI_NAME_MAX + 16]; /* "addr:port" or "[addr]:port" for messages */
    uint8_t wire[2 + DNS_QUERY_MAX];  /* the TCP length prefix, then the query */
    size_t wire_len;
    uint16_t id;
    h2o_socket_t *sock;
    h2o_timeout_entry_t timer;
    unsigned attempt;
    unsigned strays; /* datagrams that were not replies to this query */
    size_t tcp_sent;
    uint8_t *tcp_buf;
    size_t tcp_have, tcp_need;
    dns_answer_status_t end_status; /* for a deferred end */
    dns_answer_t answer;
    dns_client_cb cb;
    void *data;
} query_t;

static void query_start(query_t *q);
static void finish(query_t *q, dns_answer_status_t status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- lifecycle ---------------------------------------------------- */

dns_client_t *dns_client_new(h2o_loop_t *loop, const dns_client_opts_t *opts)
{
    dns_client_t *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        return NULL;
    }
    c->loop = loop;
    if (opts != NULL) {
        c->opts = *opts;
    }
    c->opts.attempt_ms = c->opts.attempt_ms ? c->opts.attempt_ms : DNS_CLIENT_DEFAULT_ATTEMPT_MS;
    c->opts.attempts = c->opts.attempts ? c->opts.attempts : DNS_CLIENT_DEFAULT_ATTEMPTS;
    c->opts.deadline_ms =
        c->opts.deadline_ms ? c->opts.deadline_ms : DNS_CLIENT_DEFAULT_DEADLINE_MS;
    c->opts.max_inflight =
        c->opts.max_inflight ? c->opts.max_inflight : DNS_CLIENT_DEFAULT_INFLIGHT;
    h2o_timeout_init(loop, &c->attempt_timeout, c->opts.attempt_ms);
    h2o_timeout_init(loop, &c->deadline_timeout, c->opts.deadline_ms);
    h2o_timeout_init(loop, &c->zero_timeout, 0);
    h2o_linklist_init_anchor(&c->waiting);
    h2o_linklist_init_anchor(&c->groups);
    return c;
}

const dns_client_opts_t *dns_client_opts(const dns_client_t *c)
{
    return &c->opts;
}

static void sock_close(query_t *q)
{
    if (q->sock != NULL) {
        q->sock->data = NULL;
        h2o_socket_close(q->sock);
        q->sock = NULL;
    }
}

/* Takes q out of every list and count, without a callback. */
static void query_detach(query_t *q)
{
    dns_client_t *c = q->g->c;
    sock_close(q);
    if (h2o_timeout_is_linked(&q->timer)) {
        h2o_timeout_unlink(&q->timer);
    }
    if (h2o_linklist_is_linked(&q->wait_link)) {
        h2o_linklist_unlink(&q->wait_link);
    }
    if (h2o_linklist_is_linked(&q->group_link)) {
        h2o_linklist_unlink(&q->group_link);
    }
    if (q->state != Q_WAITING && q->state != Q_DEFERRED) {
        c->inflight--;
    }
    free(q->tcp_buf);
    q->tcp_buf = NULL;
}

/* Starts waiting queries while there is room. */
static void client_pump(dns_client_t *c)
{
    while (c->inflight < c->opts.max_inflight && !h2o_linklist_is_empty(&c->waiting)) {
        query_t *q = H2O_STRUCT_FROM_MEMBER(query_t, wait_link, c->waiting.next);
        h2o_linklist_unlink(&q->wait_link);
        query_start(q);
    }
}

static void group_cancel_all(dns_client_group_t *g)
{
    while (!h2o_linklist_is_empty(&g->queries)) {
        query_t *q = H2O_STRUCT_FROM_MEMBER(query_t, group_link, g->queries.next);
        query_detach(q);
        free(q);
    }
}

static void group_release(dns_client_group_t *g)
{
    group_cancel_all(g);
    if (h2o_timeout_is_linked(&g->deadline)) {
        h2o_timeout_unlink(&g->deadline);
    }
    if (h2o_timeout_is_linked(&g->kick)) {
        h2o_timeout_unlink(&g->kick);
    }
    h2o_linklist_unlink(&g->link);
    free(g);
}

void dns_client_group_free(dns_client_group_t *g)
{
    if (g == NULL) {
        return;
    }
    dns_client_t *c = g->c;
    if (g->busy > 0) {
        g->free_asked = true;
        group_cancel_all(g);
    } else {
        group_release(g);
    }
    client_pump(c);
}

void dns_client_free(dns_client_t *c)
{
    if (c == NULL) {
        return;
    }
    while (!h2o_linklist_is_empty(&c->groups)) {
        group_release(H2O_STRUCT_FROM_MEMBER(dns_client_group_t, link, c->groups.next));
    }
    h2o_timeout_dispose(c->loop, &c->attempt_timeout);
    h2o_timeout_dispose(c->loop, &c->deadline_timeout);
    h2o_timeout_dispose(c->loop, &c->zero_timeout);
    free(c);
}

/* ---- groups ------------------------------------------------------- */

/* The first query of g that has not been told to end on the next turn. */
static query_t *group_first_running(dns_client_group_t *g)
{
    for (h2o_linklist_t *n = g->queries.next; n != &g->queries; n = n->next) {
        query_t *q = H2O_STRUCT_FROM_MEMBER(query_t, group_link, n);
        if (q->state != Q_DEFERRED) {
            return q;
        }
    }
    return NULL;
}

/* The deadline: every query still running ends now, one at a time, since
 * each callback may add queries (they end on the next turn: the group is
 * expired) or free the group. A group has few queries, so the rescan from
 * the front is cheap. */
static void on_deadline(h2o_timeout_entry_t *entry)
{
    dns_client_group_t *g = H2O_STRUCT_FROM_MEMBER(dns_client_group_t, deadline, entry);
    g->expired = true;
    g->busy++;
    query_t *q;
    while (!g->free_asked && (q = group_first_running(g)) != NULL) {
        finish(q, DNS_ANSWER_DEADLINE, "the check's deadline of %u ms passed first",
               g->c->opts.deadline_ms);
    }
    g->busy--;
    if (g->free_asked && g->busy == 0) {
        group_release(g);
    }
}

dns_client_group_t *dns_client_group_new(dns_client_t *c, dns_client_idle_cb on_idle, void *data)
{
    dns_client_group_t *g = calloc(1, sizeof(*g));
    if (g == NULL) {
        return NULL;
    }
    g->c = c;
    g->on_idle = on_idle;
    g->data = data;
    h2o_linklist_init_anchor(&g->queries);
    h2o_linklist_insert(&c->groups, &g->link);
    g->deadline.cb = on_deadline;
    h2o_timeout_link(c->loop, &c->deadline_timeout, &g->deadline);
    return g;
}

static void on_kick(h2o_timeout_entry_t *entry)
{
    dns_client_group_t *g = H2O_STRUCT_FROM_MEMBER(dns_client_group_t, kick, entry);
    if (!h2o_linklist_is_empty(&g->queries) || g->on_idle == NULL) {
        return;
    }
    g->busy++;
    g->on_idle(g, g->data);
    g->busy--;
    if (g->free_asked && g->busy == 0) {
        group_release(g);
    }
}

void dns_client_group_kick(dns_client_group_t *g)
{
    if (!h2o_timeout_is_linked(&g->kick)) {
        g->kick.cb = on_kick;
        h2o_timeout_link(g->c->loop, &g->c->zero_timeout, &g->kick);
    }
}

bool dns_client_group_expired(const dns_client_group_t *g)
{
    return g->expired;
}

/* ---- the one exit ------------------------------------------------- */

static void finish(query_t *q, dns_answer_status_t status, const char *fmt, ...)
{
    dns_client_group_t *g = q->g;
    dns_client_t *c = g->c;
    if (status != DNS_ANSWER_OK) {
        va_list ap;
        char msg[sizeof(q->answer.error)];
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        dns_answer_fail(&q->answer, status, "%s: %s", q->where, msg);
    }
    query_detach(q);
    g->busy++;
    if (!g->free_asked) {
        q->cb(&q->answer, q->data);
    }
    free(q);
    client_pump(c);
    if (!g->free_asked && h2o_linklist_is_empty(&g->queries) && g->on_idle != NULL) {
        g->on_idle(g, g->data);
    }
    g->busy--;
    if (g->free_asked && g->busy == 0) {
        group_release(g);
    }
}

static void on_deferred(h2o_timeout_entry_t *entry)
{
    query_t *q = H2O_STRUCT_FROM_MEMBER(query_t, timer, entry);
    if (q->end_status == DNS_ANSWER_DEADLINE) {
        finish(q, q->end_status, "the check's deadline of %u ms passed first",
               q->g->c->opts.deadline_ms);
    } else {
        finish(q, q->end_status, "%s", q->answer.error);
    }
}

/* Ends q on the next turn of the loop, with status and q->answer.error. */
static void defer_end(query_t *q, dns_answer_status_t status)
{
    dns_client_t *c = q->g->c;
    if (q->state != Q_WAITING && q->state != Q_DEFERRED) {
        c->inflight--;
    }
    sock_close(q);
    if (h2o_timeout_is_linked(&q->timer)) {
        h2o_timeout_unlink(&q->timer);
    }
    q->state = Q_DEFERRED;
    q->end_status = status;
    q->timer.cb = on_deferred;
    h2o_timeout_link(c->loop, &c->zero_timeout, &q->timer);
}

/* ---- UDP ---------------------------------------------------------- */

static void on_attempt_timeout(h2o_timeout_entry_t *entry);

static int sock_open(query_t *q, int type)
{
    int fd = socket(q->addr.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(q->answer.error, sizeof(q->answer.error), "cannot open a socket: %s",
                 strerror(errno));
        return -1;
    }
    if (connect(fd, (struct sockaddr *)&q->addr, q->addrlen) != 0 && errno != EINPROGRESS) {
        snprintf(q->answer.error, sizeof(q->answer.error), "cannot connect: %s", strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

static void timer_restart(query_t *q)
{
    dns_client_t *c = q->g->c;
    if (h2o_timeout_is_linked(&q->timer)) {
        h2o_timeout_unlink(&q->timer);
    }
    q->timer.cb = on_attempt_timeout;
    h2o_timeout_link(c->loop, &c->attempt_timeout, &q->timer);
}

static bool udp_send(query_t *q)
{
    ssize_t n = send(h2o_socket_get_fd(q->sock), q->wire + 2, q->wire_len, 0);
    if (n == (ssize_t)q->wire_len) {
        return true;
    }
    finish(q, DNS_ANSWER_UNREACHABLE, "cannot send the query: %s",
           n < 0 ? strerror(errno) : "short write");
    return false;
}

static void tcp_start(query_t *q);

static void on_udp_readable(h2o_socket_t *sock, const char *err)
{
    query_t *q = sock->data;
    dns_client_t *c = q->g->c;
    if (err != NULL) {
        finish(q, DNS_ANSWER_UNREACHABLE, "socket error: %s", err);
        return;
    }
    for (int i = 0; i < UDP_READS_PER_WAKEUP; i++) {
        ssize_t n = recv(h2o_socket_get_fd(sock), c->rbuf, sizeof(c->rbuf), 0);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
                return;
            }
            finish(q, DNS_ANSWER_UNREACHABLE, "%s",
                   errno == ECONNREFUSED ? "port unreachable: no DNS server listens there"
                                         : strerror(errno));
            return;
        }
        dns_reply_kind_t kind =
            dns_reply_read(c->rbuf, (size_t)n, q->id, q->answer.qname, q->answer.qtype, &q->answer);
        if (kind == DNS_REPLY_OTHER) {
            q->strays++;
            continue;
        }
        if (kind == DNS_REPLY_BROKEN) {
            finish(q, DNS_ANSWER_GARBAGE, "%s", q->answer.error);
            return;
        }
        if (q->answer.tc) {
            tcp_start(q);
        } else {
            finish(q, DNS_ANSWER_OK, "ok");
        }
        return;
    }
}

static void on_attempt_timeout(h2o_timeout_entry_t *entry)
{
    query_t *q = H2O_STRUCT_FROM_MEMBER(query_t, timer, entry);
    dns_client_t *c = q->g->c;
    if (q->state != Q_UDP) {
        finish(q, DNS_ANSWER_TIMEOUT, "no complete answer over TCP within %u ms",
               c->opts.attempt_ms);
        return;
    }
    if (q->strays > 0) {
        finish(q, DNS_ANSWER_GARBAGE,
               "%u datagram%s that are not replies to the query, and no reply within %u ms",
               q->strays, q->strays == 1 ? "" : "s", c->opts.attempt_ms);
        return;
    }
    if (++q->attempt >= c->opts.attempts) {
        finish(q, DNS_ANSWER_TIMEOUT, "no answer within %u ms (%u tries)",
               c->opts.attempt_ms * c->opts.attempts, c->opts.attempts);
        return;
    }
    timer_restart(q);
    udp_send(q);
}

static void query_start(query_t *q)
{
    dns_client_t *c = q->g->c;
    q->state = Q_UDP;
    c->inflight++;
    int fd = sock_open(q, SOCK_DGRAM);
    if (fd < 0) {
        defer_end(q, DNS_ANSWER_UNREACHABLE);
        return;
    }
    q->sock = h2o_evloop_socket_create(c->loop, fd, H2O_SOCKET_FLAG_DONT_READ);
    q->sock->data = q;
    h2o_socket_read_start(q->sock, on_udp_readable);
    timer_restart(q);
    ssize_t n = send(fd, q->wire + 2, q->wire_len, 0);
    if (n != (ssize_t)q->wire_len) {
        snprintf(q->answer.error, sizeof(q->answer.error), "cannot send the query: %s",
                 n < 0 ? strerror(errno) : "short write");
        defer_end(q, DNS_ANSWER_UNREACHABLE);
    }
}

/* ---- TCP ---------------------------------------------------------- */

static void on_tcp_readable(h2o_socket_t *sock, const char *err)
{
    query_t *q = sock->data;
    if (err != NULL) {
        finish(q, DNS_ANSWER_UNREACHABLE, "TCP error: %s", err);
        return;
    }
    for (int i = 0; i < UDP_READS_PER_WAKEUP; i++) {
        uint8_t *dst;
        size_t want;
        if (q->tcp_buf == NULL) { /* the two length bytes, in wire[0..2) */
            dst = q->wire + q->tcp_have;
            want = 2 - q->tcp_have;
        } else {
            dst = q->tcp_buf + q->tcp_have;
            want = q->tcp_need - q->tcp_have;
        }
        ssize_t n = read(h2o_socket_get_fd(sock), dst, want);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
                return;
            }
            finish(q, DNS_ANSWER_UNREACHABLE, "TCP: %s", strerror(errno));
            return;
        }
        if (n == 0) {
            finish(q, DNS_ANSWER_GARBAGE, "closed the TCP connection before the whole reply");
            return;
        }
        q->tcp_have += (size_t)n;
        if (q->tcp_buf == NULL && q->tcp_have == 2) {
            q->tcp_need = (size_t)((q->wire[0] << 8) | q->wire[1]);
            q->tcp_have = 0;
            q->tcp_buf = malloc(q->tcp_need > 0 ? q->tcp_need : 1);
            if (q->tcp_buf == NULL) {
                finish(q, DNS_ANSWER_GARBAGE, "out of memory for a %zu-byte reply", q->tcp_need);
                return;
            }
        }
        if (q->tcp_buf != NULL && q->tcp_have == q->tcp_need) {
            q->answer.tcp = true;
            dns_reply_kind_t kind = dns_reply_read(q->tcp_buf, q->tcp_need, q->id, q->answer.qname,
                                                   q->answer.qtype, &q->answer);
            if (kind == DNS_REPLY_MINE) {
                finish(q, DNS_ANSWER_OK, "ok");
            } else {
                finish(q, DNS_ANSWER_GARBAGE, "%s",
                       kind == DNS_REPLY_BROKEN ? q->answer.error
                                                : "a TCP reply that is not for the query");
            }
            return;
        }
    }
}

static void on_tcp_writable(h2o_socket_t *sock, const char *err)
{
    query_t *q = sock->data;
    int fd = h2o_socket_get_fd(sock);
    if (err != NULL) {
        finish(q, DNS_ANSWER_UNREACHABLE, "TCP error: %s", err);
        return;
    }
    if (q->state == Q_TCP_CONNECT) {
        int so_err = 0;
        socklen_t len = sizeof(so_err);
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_err, &len) != 0 || so_err != 0) {
            finish(q, DNS_ANSWER_UNREACHABLE, "TCP connection failed: %s",
                   strerror(so_err ? so_err : errno));
            return;
        }
        q->state = Q_TCP_WRITE;
    }
    ssize_t n = write(fd, q->wire + q->tcp_sent, q->wire_len + 2 - q->tcp_sent);
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        finish(q, DNS_ANSWER_UNREACHABLE, "TCP: %s", strerror(errno));
        return;
    }
    q->tcp_sent += n > 0 ? (size_t)n : 0;
    if (q->tcp_sent < q->wire_len + 2) {
        h2o_socket_notify_write(sock, on_tcp_writable);
        return;
    }
    q->state = Q_TCP_READ;
    q->tcp_have = 0;
    h2o_socket_read_start(sock, on_tcp_readable);
}

/* The reply was truncated: the same query, over TCP, with a fresh try. */
static void tcp_start(query_t *q)
{
    dns_client_t *c = q->g->c;
    sock_close(q);
    q->state = Q_TCP_CONNECT;
    q->wire[0] = (uint8_t)(q->wire_len >> 8);
    q->wire[1] = (uint8_t)(q->wire_len & 0xff);
    q->tcp_sent = 0;
    int fd = sock_open(q, SOCK_STREAM);
    if (fd < 0) {
        finish(q, DNS_ANSWER_UNREACHABLE, "the reply was truncated and TCP failed: %s",
               q->answer.error);
        return;
    }
    q->sock = h2o_evloop_socket_create(c->loop, fd, H2O_SOCKET_FLAG_DONT_READ);
    q->sock->data = q;
    timer_restart(q);
    h2o_socket_notify_write(q->sock, on_tcp_writable);
}

/* ---- submitting --------------------------------------------------- */

static int addr_parse(const dnsapi_hostport_t *server, query_t *q, dnsapi_err_t *err)
{
    struct sockaddr_in *v4 = (struct sockaddr_in *)&q->addr;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&q->addr;
    memset(&q->addr, 0, sizeof(q->addr));
    if (inet_pton(AF_INET, server->host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(server->port);
        q->addrlen = sizeof(*v4);
        snprintf(q->where, sizeof(q->where), "%s:%u", server->host, (unsigned)server->port);
        return DNSAPI_OK;
    }
    if (inet_pton(AF_INET6, server->host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(server->port);
        q->addrlen = sizeof(*v6);
        snprintf(q->where, sizeof(q->where), "[%s]:%u", server->host, (unsigned)server->port);
        return DNSAPI_OK;
    }
    return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_address", "server",
                          "%s is not an IPv4 or IPv6 address: the DNS client never looks "
                          "names up by itself.",
                          server->host);
}

static uint16_t random_id(void)
{
    uint16_t id = 0;
    if (getrandom(&id, sizeof(id), GRND_NONBLOCK) != (ssize_t)sizeof(id)) {
        id = (uint16_t)(rand() & 0xffff);
    }
    return id;
}

int dns_client_query(dns_client_group_t *g, const dnsapi_hostport_t *server, const char *qname,
                     const char *qtype, bool rd, dns_client_cb cb, void *data, dnsapi_err_t *err)
{
    dns_client_t *c = g->c;
    query_t *q = calloc(1, sizeof(*q));
    if (q == NULL) {
        return dnsapi_err_set(err, DNSAPI_ENOMEM, "internal", NULL, "Out of memory.");
    }
    int rc = addr_parse(server, q, err);
    q->id = random_id();
    if (rc == DNSAPI_OK) {
        rc = dns_query_build(qname, qtype, q->id, rd, q->wire + 2, sizeof(q->wire) - 2,
                             &q->wire_len, err);
    }
    if (rc != DNSAPI_OK) {
        free(q);
        return rc;
    }
    q->g = g;
    q->cb = cb;
    q->data = data;
    q->state = Q_WAITING;
    dns_answer_init(&q->answer, qname, qtype);
    h2o_linklist_insert(&g->queries, &q->group_link);
    if (g->expired) {
        defer_end(q, DNS_ANSWER_DEADLINE);
    } else if (c->inflight < c->opts.max_inflight) {
        query_start(q);
    } else {
        h2o_linklist_insert(&c->waiting, &q->wait_link);
    }
    return DNSAPI_OK;
}
