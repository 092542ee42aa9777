/*
 * probe.h - talking DNS to the name servers over UDP with ldns: DNS NOTIFY
 * to secondaries, and SOA queries to learn which serial a server serves.
 * Every exchange has a time limit. (Many SOA checks at once: check.h.)
 */
#ifndef DNSAPI_ZONEGEN_PROBE_H
#define DNSAPI_ZONEGEN_PROBE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include <ldns/ldns.h>

#include "common/config.h"

/* Sends a NOTIFY for zone (absolute name) to server, retrying up to three
 * times within timeout_ms until the server answers. Returns DNSAPI_OK when
 * it acknowledged, DNSAPI_ETIMEOUT, or DNSAPI_EIO; errbuf says why. */
int zonegen_notify_send(const dnsapi_hostport_t *server, const char *zone, int timeout_ms,
                        char *errbuf, size_t errlen);

/* As zonegen_notify_send, signed with key (NULL: unsigned). Secondaries
 * accept NOTIFY from the primary's address with the transfer key, so
 * zonegen beside the primary can repeat one the secondary missed. */
int zonegen_notify_send_signed(const dnsapi_hostport_t *server, const char *zone,
                               const dnsapi_tsig_key_t *key, int timeout_ms, char *errbuf,
                               size_t errlen);

/* Adds a TSIG signature (hmac-sha256, fudge 300 s) with key to pkt, which
 * must be complete. Returns 0 or -1. */
int zonegen_probe_tsig_sign(ldns_pkt *pkt, const dnsapi_tsig_key_t *key);

/* Asks server once for the SOA of zone, waiting at most timeout_ms. Sets
 * *serial_out from an authoritative answer. Returns DNSAPI_OK,
 * DNSAPI_ETIMEOUT, or DNSAPI_EIO (refused, not authoritative, no SOA). */
int zonegen_soa_query(const dnsapi_hostport_t *server, const char *zone, int timeout_ms,
                      uint32_t *serial_out, char *errbuf, size_t errlen);

/* A UDP socket connected to server (so that only its datagrams arrive),
 * close-on-exec. Returns the descriptor, or -1 with errbuf filled. */
int zonegen_probe_udp_connect(const dnsapi_hostport_t *server, char *errbuf, size_t errlen);

/* A query for the SOA of zone (absolute) with a random id and the given
 * header flags; the caller frees it (ldns_pkt_free). NULL on a bad name. */
ldns_pkt *zonegen_probe_soa_packet_new(const char *zone, uint16_t flags);

#endif
