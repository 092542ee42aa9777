/*
 * check.h - live checks on the loop: ask the name servers of a delegation
 * (or of a zone and its parent) over DNS, with bounded time, then judge the
 * answers with dns/livecheck.h.
 *
 * A check copies what it needs from its arguments when it starts, so the
 * records, the delegation and the request they came from may go away
 * before it ends. It runs in rounds, each a set of queries in one client
 * group (one overall deadline for the whole check, dns_client_opts_t):
 *
 *   delegation:  1. the resolver, for targets without glue or zone data
 *                2. every address of every target: SOA and NS of the child,
 *                   A and AAAA of each glued name
 *   zone:        1. the resolver: SOA of the zone's parent name; addresses
 *                   of the zone's own name servers outside it
 *                2. the resolver: NS of the parent; the zone's own servers:
 *                   SOA and NS of the zone
 *                3. the resolver: addresses of the parent's servers (unless
 *                   the NS answer carried them)
 *                4. each parent server, without recursion: NS of the zone
 *
 * then calls done. A check never fails after it started: every problem,
 * the deadline included, is a result in the report.
 */
#ifndef DNSAPI_DNSCLIENT_CHECK_H
#define DNSAPI_DNSCLIENT_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/config.h"
#include "common/error.h"
#include "dns/delegation.h"
#include "dns/livecheck.h"
#include "dnsclient/client.h"

typedef struct dns_check dns_check_t;

/* Runs once when the check has its report; the check is still alive (free
 * it here or later). */
typedef void (*dns_check_done_cb)(dns_check_t *check, void *data);

typedef struct {
    const char *zone;                   /* the zone holding the delegation */
    const dns_delegation_t *delegation; /* from dns_delegations_analyze on that zone */
    const dnsapi_hostport_t *resolver;  /* DNSAPI_RESOLVER, or NULL: none configured */
    uint16_t ns_port;                   /* where name servers listen: 0 means 53 */
} dns_check_delegation_args_t;

/* Starts checking a delegation. Returns DNSAPI_OK and sets *out (done will
 * run later, never inside this call), or DNSAPI_ENOMEM. */
int dns_check_delegation_start(dns_client_t *client, const dns_check_delegation_args_t *args,
                               dns_check_done_cb done, void *data, dns_check_t **out,
                               dnsapi_err_t *err);

typedef struct {
    const char *zone;         /* normalized zone name */
    uint32_t serial;          /* its current serial: every server must serve it */
    const dns_zone_rr_t *rrs; /* the zone's served records: the apex NS set and */
    size_t n_rrs;             /* the addresses of name servers inside the zone */
    const dnsapi_hostport_t *resolver;
    uint16_t ns_port;
} dns_check_zone_args_t;

/* Starts checking a zone's own delegation: the parent's referral against
 * the apex NS set, and every name server of the apex serving the serial.
 * Returns DNSAPI_OK, DNSAPI_EINVAL (no apex NS records) or DNSAPI_ENOMEM. */
int dns_check_zone_start(dns_client_t *client, const dns_check_zone_args_t *args,
                         dns_check_done_cb done, void *data, dns_check_t **out, dnsapi_err_t *err);

/* The verdicts, once done has run: the delegation check's, or the zone
 * check's (NULL for the other kind). They live as long as the check. */
const dns_live_report_t *dns_check_report(const dns_check_t *k);
const dns_live_zone_report_t *dns_check_zone_report(const dns_check_t *k);

/* The expectations the check judged against (the delegation's NS set and
 * glue, or the apex NS set and serial), for views that show both sides. */
const dns_live_expect_t *dns_check_expect(const dns_check_t *k);

/* Cancels a running check (done will not run) or releases a finished one;
 * safe inside done. Free every check before its client (dns_client_free). */
void dns_check_free(dns_check_t *k);

#endif
