/*
 * client.h - an asynchronous DNS client on an h2o 2.2 evloop.
 *
 * Why on the loop and not in a worker thread: a check asks a few dozen
 * questions, each a small datagram; a UDP socket watched by the loop costs
 * one fd and no thread, nothing ever blocks, and cancelling a check when
 * its HTTP client goes away is unlinking timers on the same thread. A
 * worker would need its own loop or poll() anyway, plus a queue and a
 * hand-off for every answer.
 *
 * Every query gets its own connected UDP socket (random source port from
 * the kernel, random id), so only the server's datagrams arrive and an ICMP
 * port-unreachable comes back as an error. A reply with TC set is asked
 * again over TCP. Each try has attempt_ms; UDP is tried attempts times.
 * Queries belong to a group with an overall deadline (deadline_ms): when it
 * passes, every query of the group still running ends with
 * DNS_ANSWER_DEADLINE. At most max_inflight queries of the client have a
 * socket at once; the rest wait their turn.
 *
 * Addresses are numeric (IPv4 or IPv6): nothing here ever looks a name up
 * through the system resolver. The callbacks run on the loop, never inside
 * the call that submitted the query, exactly once per query unless its
 * group is freed first. One client per loop thread; not thread-safe.
 */
#ifndef DNSAPI_DNSCLIENT_CLIENT_H
#define DNSAPI_DNSCLIENT_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <h2o.h>

#include "common/config.h"
#include "common/error.h"
#include "dns/livecheck.h"

typedef struct {
    uint32_t attempt_ms;  /* one UDP try, or the whole TCP exchange (default 1000) */
    unsigned attempts;    /* UDP tries before a timeout (default 2) */
    uint32_t deadline_ms; /* a group's overall deadline (default 5000) */
    size_t max_inflight;  /* queries with a socket at once (default 64) */
} dns_client_opts_t;

#define DNS_CLIENT_DEFAULT_ATTEMPT_MS 1000
#define DNS_CLIENT_DEFAULT_ATTEMPTS 2
#define DNS_CLIENT_DEFAULT_DEADLINE_MS 5000
#define DNS_CLIENT_DEFAULT_INFLIGHT 64

typedef struct dns_client dns_client_t;
typedef struct dns_client_group dns_client_group_t;

/* Runs once per query: answer->status says how it ended (OK with the
 * facts, or TIMEOUT, UNREACHABLE, GARBAGE, DEADLINE with error set).
 * answer is borrowed for the call: copy what you keep. */
typedef void (*dns_client_cb)(const dns_answer_t *answer, void *data);

/* Runs when a group has no query left (after the last query's callback),
 * each time that happens: a callback may add queries (the next round)
 * and the group goes on. It may free the group. */
typedef void (*dns_client_idle_cb)(dns_client_group_t *group, void *data);

/* A client on loop. opts NULL, or fields 0, mean the defaults. Free it
 * with dns_client_free before the loop is destroyed; NULL when out of
 * memory. */
dns_client_t *dns_client_new(h2o_loop_t *loop, const dns_client_opts_t *opts);

/* Cancels every query of every group without callbacks, frees the groups
 * and the client. The loop should run once more (h2o frees closed sockets
 * on its next turn). */
void dns_client_free(dns_client_t *c);

/* The options in force (defaults filled in). */
const dns_client_opts_t *dns_client_opts(const dns_client_t *c);

/* A new group; its deadline starts now. NULL when out of memory. */
dns_client_group_t *dns_client_group_new(dns_client_t *c, dns_client_idle_cb on_idle, void *data);

/* Cancels the group's queries (no more callbacks) and frees it; safe from
 * inside any of its callbacks (it is freed when the callback returns). */
void dns_client_group_free(dns_client_group_t *g);

/* Runs the group's idle callback on the next turn of the loop if it has
 * no query then: a way to start a first round from outside a callback. */
void dns_client_group_kick(dns_client_group_t *g);

/* True once the group's deadline has passed. */
bool dns_client_group_expired(const dns_client_group_t *g);

/* Asks server (numeric address and port) for qname (absolute) and qtype
 * ("SOA", "NS", "A", "AAAA", ...), with the RD flag when rd (for a
 * resolver). cb runs later with the answer, on the loop. In an expired
 * group the answer is DEADLINE at once (still later, not inside this call).
 * Returns DNSAPI_OK; DNSAPI_EINVAL for a name, type or address that cannot
 * be used, or DNSAPI_ENOMEM (err says which; cb will not run). */
int dns_client_query(dns_client_group_t *g, const dnsapi_hostport_t *server, const char *qname,
                     const char *qtype, bool rd, dns_client_cb cb, void *data, dnsapi_err_t *err);

#endif
