/*
 * dns_listener.h - the DNS side of `dnsapi serve` (DNSAPI_UPDATE_LISTEN):
 * UDP and TCP on one address, each message answered by dns_handle
 * (api/dns_handler.h) on the loop that received it.
 *
 * Every event loop has its own pair of sockets bound with SO_REUSEPORT, so
 * UPDATE traffic spreads over the loops as HTTP does. TCP (RFC 7766): two
 * octets of length before each message, several messages one after the
 * other on a connection, answered in order, one at a time; a connection
 * idle for DNS_TCP_IDLE_MS is closed, at most DNS_TCP_MAX_CONNS per loop
 * (more are closed at once), a message longer than 65535 octets cannot be
 * framed. UDP reads at most DNS_UDP_BURST datagrams per wakeup so that a
 * flood cannot starve the loop's HTTP clients.
 */
#ifndef DNSAPI_API_DNS_LISTENER_H
#define DNSAPI_API_DNS_LISTENER_H

#include "api/api.h"
#include "common/config.h"
#include "dns/tsig.h"

#define DNS_TCP_IDLE_MS 10000
#define DNS_TCP_MAX_CONNS 64
#define DNS_UDP_BURST 64

typedef struct dns_listener dns_listener_t;

/* Binds the UDP and TCP sockets of hp (non-blocking, SO_REUSEPORT).
 * Returns DNSAPI_OK, or DNSAPI_EIO with err saying why. */
int dns_listener_bind(const dnsapi_hostport_t *hp, int *udp_fd, int *tcp_fd, char *err,
                      size_t errlen);

/* Serves the two sockets (taken) on t's loop. */
dns_listener_t *dns_listener_start(api_thread_t *t, int udp_fd, int tcp_fd,
                                   dns_tsig_replay_t *replay);

/* Stops reading and accepting; messages in flight still answer (they are
 * counted in t->in_flight). */
void dns_listener_stop(dns_listener_t *l);

/* Closes every connection and frees l; after the loop has drained. */
void dns_listener_free(dns_listener_t *l);

#endif
