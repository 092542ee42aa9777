#include "zonegen/check.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <ldns/ldns.h>

#include "common/error.h"
#include "dns/dns.h"
#include "zonegen/probe.h"
#include "zonegen/reply.h"

#define WINDOW 64            /* queries in flight per server */
#define LOST_MS 500          /* no answer after this long: send again */
#define REFUSED_PAUSE_MS 200 /* a closed port is asked again after this */
#define POLL_FIRST_MS 10     /* an older serial is asked again after 10 ms, */
#define POLL_MAX_MS 250      /* growing to 250 ms */

/* TSIG error codes (RFC 8945). */
enum { TSIG_BADSIG = 16, TSIG_BADKEY = 17, TSIG_BADTIME = 18 };

typedef struct {
    int fd;
    uint16_t id_base;
    size_t *checks; /* indexes into the round's checks */
    size_t n, in_flight;
    long long end_ms;
    int refused; /* the last datagram came back as "connection refused" */
} server_rt_t;

typedef struct {
    long long next_ms; /* when to ask next; LLONG_MAX when done */
    long long sent_ms; /* when the query in flight went out; 0: none */
    int pause_ms;
    int done;
    int rcode; /* last answer's rcode, when result is NOT_SERVED */
    int tsig_error;
    long long finished_ms;
} check_rt_t;

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The query for one check: the SOA of its zone, signed when asked. */
static int query_wire(const zonegen_check_round_t *round, const zonegen_check_t *c, uint16_t id,
                      int sign, uint8_t **wire, size_t *len)
{
    ldns_pkt *pkt = zonegen_probe_soa_packet_new(c->zone, 0);
    if (pkt == NULL) {
        return -1;
    }
    ldns_pkt_set_id(pkt, id);
    if (sign && round->key != NULL && zonegen_probe_tsig_sign(pkt, round->key) != 0) {
        ldns_pkt_free(pkt);
        return -1;
    }
    int rc = ldns_pkt2wire(wire, pkt, len) == LDNS_STATUS_OK ? 0 : -1;
    ldns_pkt_free(pkt);
    return rc;
}

static void check_finish(check_rt_t *rt, server_rt_t *srt)
{
    rt->done = 1;
    rt->next_ms = LLONG_MAX;
    rt->finished_ms = now_ms();
    if (rt->sent_ms != 0) {
        rt->sent_ms = 0;
        srt->in_flight--;
    }
}

/* Reads one answer into the check it belongs to. */
static void answer_take(const zonegen_check_round_t *round, zonegen_check_t *checks,
                        check_rt_t *rts, server_rt_t *srt, const uint8_t *buf, size_t len,
                        long long now)
{
    uint16_t got;
    if (!zonegen_reply_id(buf, len, &got)) {
        return;
    }
    uint16_t local = (uint16_t)(got - srt->id_base);
    if (local >= srt->n) {
        return;
    }
    size_t ci = srt->checks[local];
    zonegen_check_t *c = &checks[ci];
    check_rt_t *rt = &rts[ci];
    zonegen_reply_t reply;
    if (rt->done || zonegen_reply_read(buf, len, got, LDNS_PACKET_QUERY, c->zone, &reply) !=
                        ZONEGEN_REPLY_ANSWER) {
        return;
    }
    srt->refused = 0;
    round->servers[c->server].answered = 1;
    if (rt->sent_ms != 0) {
        rt->sent_ms = 0;
        srt->in_flight--;
    }
    if (reply.tsig_error != 0 ||
        (reply.rcode == LDNS_RCODE_NOTAUTH && round->servers[c->server].sign)) {
        c->result = ZONEGEN_CHECK_TSIG;
        rt->tsig_error = reply.tsig_error;
        check_finish(rt, srt);
    } else if (!reply.has_serial) {
        c->result = ZONEGEN_CHECK_NOT_SERVED;
        rt->rcode = reply.rcode;
    } else {
        c->has_serial = 1;
        c->serial = reply.serial;
        if (dns_serial_compare(reply.serial, c->want) >= 0) {
            c->result = ZONEGEN_CHECK_IN_SYNC;
            check_finish(rt, srt);
        } else {
            c->result = ZONEGEN_CHECK_BEHIND;
        }
    }
    if (!rt->done) {
        rt->next_ms = now + rt->pause_ms;
        rt->pause_ms = rt->pause_ms * 3 / 2 > POLL_MAX_MS ? POLL_MAX_MS : rt->pause_ms * 3 / 2;
    }
}

static void server_read(const zonegen_check_round_t *round, zonegen_check_t *checks,
                        check_rt_t *rts, server_rt_t *srt, long long now)
{
    uint8_t buf[4096];
    /* Bounded: what is queued now, at most a window's worth and a few. */
    for (int i = 0; i < WINDOW * 4; i++) {
        ssize_t n = recv(srt->fd, buf, sizeof(buf), 0);
        if (n > 0) {
            answer_take(round, checks, rts, srt, buf, (size_t)n, now);
            continue;
        }
        if (n < 0 && errno == ECONNREFUSED) {
            /* Nothing listens: every query in flight is lost. */
            srt->refused = 1;
            for (size_t k = 0; k < srt->n; k++) {
                check_rt_t *rt = &rts[srt->checks[k]];
                if (rt->sent_ms != 0) {
                    rt->sent_ms = 0;
                    rt->next_ms = now + REFUSED_PAUSE_MS;
                }
            }
            srt->in_flight = 0;
            continue;
        }
        break;
    }
}

static void server_send(const zonegen_check_round_t *round, zonegen_check_t *checks,
                        check_rt_t *rts, server_rt_t *srt, size_t si, long long now)
{
    for (size_t k = 0; k < srt->n; k++) {
        size_t ci = srt->checks[k];
        check_rt_t *rt = &rts[ci];
        if (rt->done) {
            continue;
        }
        if (now >= srt->end_ms) {
            check_finish(rt, srt);
            continue;
        }
        if (rt->sent_ms != 0 && now - rt->sent_ms >= LOST_MS) {
            rt->sent_ms = 0; /* lost: ask again now */
            srt->in_flight--;
            rt->next_ms = now;
        }
        if (rt->sent_ms != 0 || rt->next_ms > now || srt->in_flight >= WINDOW) {
            continue;
        }
        uint8_t *wire = NULL;
        size_t len = 0;
        if (query_wire(round, &checks[ci], (uint16_t)(srt->id_base + k), round->servers[si].sign,
                       &wire, &len) != 0) {
            snprintf(checks[ci].error, sizeof(checks[ci].error), "cannot build the SOA query");
            check_finish(rt, srt);
            continue;
        }
        ssize_t sent = send(srt->fd, wire, len, 0);
        free(wire);
        if (sent < 0) {
            if (errno == ECONNREFUSED) {
                srt->refused = 1;
            }
            rt->next_ms = now + REFUSED_PAUSE_MS;
            continue;
        }
        rt->sent_ms = now;
        srt->in_flight++;
    }
}

static void error_write(const zonegen_check_round_t *round, const zonegen_check_t *c,
                        const check_rt_t *rt, const server_rt_t *srt, char *out, size_t outlen)
{
    const zonegen_check_server_t *s = &round->servers[c->server];
    const char *host = s->addr->host;
    unsigned port = s->addr->port;
    const char *keyname = round->key != NULL ? round->key->name : "";
    switch (c->result) {
    case ZONEGEN_CHECK_IN_SYNC:
    case ZONEGEN_CHECK_PENDING:
        out[0] = '\0';
        break;
    case ZONEGEN_CHECK_TSIG:
        if (rt->tsig_error == TSIG_BADSIG) {
            snprintf(out, outlen,
                     "TSIG: %.64s:%u holds a key named %.64s with another secret (BADSIG); give it "
                     "the key in DNSAPI_TSIG_KEY_FILE",
                     host, port, keyname);
        } else if (rt->tsig_error == TSIG_BADTIME) {
            snprintf(out, outlen,
                     "TSIG: %.64s:%u refuses the time of the signature (BADTIME); check both "
                     "clocks",
                     host, port);
        } else {
            snprintf(out, outlen,
                     "TSIG: %.64s:%u does not know the key %.64s (BADKEY); give it the key in "
                     "DNSAPI_TSIG_KEY_FILE",
                     host, port, keyname);
        }
        break;
    case ZONEGEN_CHECK_BEHIND:
        if (s->secondary) {
            snprintf(
                out, outlen,
                "transfer: %.64s:%u serves serial %u of %.255s, not %u, after %d ms; it has not "
                "transferred the change: check that the primary sends it NOTIFY and lets "
                "it transfer, and its log",
                host, port, c->serial, c->zone, c->want, c->elapsed_ms);
        } else {
            snprintf(out, outlen,
                     "reload: %.64s:%u serves serial %u of %.255s, not %u, after %d ms; the name "
                     "server has not loaded the new file: check DNSAPI_RELOAD_CMD and its log",
                     host, port, c->serial, c->zone, c->want, c->elapsed_ms);
        }
        break;
    case ZONEGEN_CHECK_NOT_SERVED: {
        char *rc = ldns_pkt_rcode2str((ldns_pkt_rcode)rt->rcode);
        const char *how = rt->rcode == LDNS_RCODE_NOERROR ? "answers without authority"
                                                          : (rc != NULL ? rc : "an error");
        if (s->secondary) {
            snprintf(
                out, outlen,
                "transfer: %.64s:%u %s%.40s for %.255s: it does not serve the zone; check that it "
                "follows the catalog %.255s and may transfer from the primary",
                host, port, rt->rcode == LDNS_RCODE_NOERROR ? "" : "answers ", how, c->zone,
                round->catalog != NULL ? round->catalog : "(none configured)");
        } else {
            snprintf(
                out, outlen,
                "reload: %.64s:%u %s%.40s for %.255s: the name server has not loaded the zone; "
                "check the include and DNSAPI_RELOAD_CMD or DNSAPI_ZONES_ADD_CMD",
                host, port, rt->rcode == LDNS_RCODE_NOERROR ? "" : "answers ", how, c->zone);
        }
        free(rc);
        break;
    }
    case ZONEGEN_CHECK_NO_ANSWER:
        if (srt->refused) {
            snprintf(out, outlen,
                     "SOA check: nothing listens on %.64s:%u (connection refused); start the name "
                     "server or correct its address",
                     host, port);
        } else {
            snprintf(out, outlen,
                     "SOA check: no answer from %.64s:%u within %d ms; is the name server running "
                     "and reachable?",
                     host, port, c->elapsed_ms);
        }
        break;
    }
}

static void round_clear(server_rt_t *srts, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (srts[i].fd >= 0) {
            close(srts[i].fd);
        }
        free(srts[i].checks);
    }
    free(srts);
}

int zonegen_check_run(const zonegen_check_round_t *round, zonegen_check_t *checks, size_t n)
{
    server_rt_t *srts = calloc(round->n_servers + 1, sizeof(*srts));
    check_rt_t *rts = calloc(n + 1, sizeof(*rts));
    struct pollfd *pfds = calloc(round->n_servers + 1, sizeof(*pfds));
    if (srts == NULL || rts == NULL || pfds == NULL) {
        free(srts);
        free(rts);
        free(pfds);
        return DNSAPI_ENOMEM;
    }
    long long start = now_ms(), deadline = start + round->total_ms;
    int rc = DNSAPI_OK;
    for (size_t i = 0; i < round->n_servers; i++) {
        srts[i].fd = -1;
        round->servers[i].answered = 0;
    }
    for (size_t i = 0; i < n; i++) {
        assert(checks[i].server < round->n_servers);
        srts[checks[i].server].n++;
        checks[i].result = ZONEGEN_CHECK_NO_ANSWER;
        checks[i].has_serial = 0;
        checks[i].error[0] = '\0';
        rts[i].pause_ms = POLL_FIRST_MS;
        rts[i].next_ms = start;
    }
    for (size_t i = 0; i < round->n_servers; i++) {
        server_rt_t *s = &srts[i];
        int budget = round->servers[i].budget_ms;
        s->end_ms = start + (budget > 0 && budget < round->total_ms ? budget : round->total_ms);
        if (s->n > 65535) {
            rc = DNSAPI_EINVAL;
            goto done;
        }
        s->checks = calloc(s->n + 1, sizeof(*s->checks));
        if (s->checks == NULL) {
            rc = DNSAPI_ENOMEM;
            goto done;
        }
        s->id_base = (uint16_t)ldns_get_random();
        s->n = 0;
        char err[256];
        s->fd = zonegen_probe_udp_connect(round->servers[i].addr, err, sizeof(err));
        if (s->fd >= 0) {
            fcntl(s->fd, F_SETFL, fcntl(s->fd, F_GETFL) | O_NONBLOCK);
        }
    }
    for (size_t i = 0; i < n; i++) {
        server_rt_t *s = &srts[checks[i].server];
        s->checks[s->n++] = i;
        if (s->fd < 0) {
            rts[i].done = 1; /* no socket: counts as no answer */
            rts[i].next_ms = LLONG_MAX;
        }
    }
    /* At most one pass per millisecond of the round, however the servers
     * behave. */
    for (long long pass = 0; pass <= round->total_ms + 1; pass++) {
        long long now = now_ms();
        if (now >= deadline || (round->stop != NULL && *round->stop)) {
            break;
        }
        long long next = deadline;
        size_t npfd = 0;
        for (size_t i = 0; i < round->n_servers; i++) {
            server_rt_t *s = &srts[i];
            if (s->fd < 0) {
                continue;
            }
            server_send(round, checks, rts, s, i, now);
            int open = 0;
            for (size_t k = 0; k < s->n; k++) {
                check_rt_t *rt = &rts[s->checks[k]];
                if (rt->done) {
                    continue;
                }
                open = 1;
                long long due = rt->sent_ms != 0 ? rt->sent_ms + LOST_MS : rt->next_ms;
                if (due < next) {
                    next = due;
                }
            }
            if (open) {
                if (s->end_ms < next) {
                    next = s->end_ms;
                }
                pfds[npfd].fd = s->fd;
                pfds[npfd].events = POLLIN;
                pfds[npfd].revents = 0;
                npfd++;
            }
        }
        if (npfd == 0) {
            break; /* every check has its verdict */
        }
        long long wait = next - now_ms();
        int pr = poll(pfds, npfd, wait < 1 ? 1 : (int)(wait > 1000 ? 1000 : wait));
        if (pr < 0 && errno != EINTR) {
            break;
        }
        now = now_ms();
        for (size_t i = 0; i < round->n_servers; i++) {
            if (srts[i].fd >= 0) {
                server_read(round, checks, rts, &srts[i], now);
            }
        }
    }
    long long end = now_ms();
    for (size_t i = 0; i < n; i++) {
        checks[i].elapsed_ms = (int)((rts[i].finished_ms ? rts[i].finished_ms : end) - start);
        error_write(round, &checks[i], &rts[i], &srts[checks[i].server], checks[i].error,
                    sizeof(checks[i].error));
    }
done:
    round_clear(srts, round->n_servers);
    free(rts);
    free(pfds);
    return rc;
}
