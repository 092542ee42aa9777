/*
 * probe.h - talking DNS to the name servers over UDP with ldns: DNS NOTIFY
 * to secondaries, and SOA queries to learn which serial a server serves.
 * Every exchange has a time limit.
 */
#ifndef DNSAPI_ZONEGEN_PROBE_H
#define DNSAPI_ZONEGEN_PROBE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "common/config.h"

/* Sends a NOTIFY for zone (absolute name) to server, retrying up to three
 * times within timeout_ms until the server answers. Returns DNSAPI_OK when
 * it acknowledged, DNSAPI_ETIMEOUT, or DNSAPI_EIO; errbuf says why. */
int zonegen_notify_send(const dnsapi_hostport_t *server, const char *zone, int timeout_ms,
                        char *errbuf, size_t errlen);

/* Asks server once for the SOA of zone, waiting at most timeout_ms. Sets
 * *serial_out from an authoritative answer. Returns DNSAPI_OK,
 * DNSAPI_ETIMEOUT, or DNSAPI_EIO (refused, not authoritative, no SOA). */
int zonegen_soa_query(const dnsapi_hostport_t *server, const char *zone, int timeout_ms,
                      uint32_t *serial_out, char *errbuf, size_t errlen);

/* Asks server for the SOA of zone until it serves want or a later serial
 * (RFC 1982), polling more slowly as time passes, for at most total_ms or
 * until *stop is set. Returns DNSAPI_OK, or DNSAPI_ETIMEOUT with errbuf
 * naming the serial last seen. */
int zonegen_verify_wait(const dnsapi_hostport_t *server, const char *zone, uint32_t want,
                        int total_ms, volatile sig_atomic_t *stop, char *errbuf, size_t errlen);

#endif
