/*
 * view_delegation.h - JSON views of delegations and live checks, as the
 * delegation endpoints answer them (and the test probe prints them).
 *
 * Pure: jansson objects from the structs of dns/delegation.h and
 * dns/livecheck.h; the caller owns the returned reference (json_decref).
 * NULL when out of memory.
 */
#ifndef DNSAPI_API_VIEW_DELEGATION_H
#define DNSAPI_API_VIEW_DELEGATION_H

#include <jansson.h>

#include "dns/delegation.h"
#include "dns/livecheck.h"

/* One delegation:
 *   {"name", "ttl", "ok",
 *    "ns": [{"target", "ttl", "location", "glue", "addresses": [...]}],
 *    "glue": [{"name", "type", "address", "ttl", "use"}],
 *    "ds": [content...],
 *    "occluded": [{"name", "type", "content", "ttl"}],
 *    "problems": [{"code", "subject", "message"}]}
 * location: below_cut, in_zone, sibling, out_of_zone, address; glue:
 * present / missing for targets below the cut, else not_needed; addresses:
 * the A/AAAA the zone holds for the target (glue or zone data). occluded
 * lists at most max_occluded records (0: all) and "occluded_total" says
 * how many there are. */
json_t *view_delegation(const dns_delegation_t *d, size_t max_occluded);

/* A live check of a delegation (expect as the check judged against):
 *   {"name", "ok", "ns": [expected targets],
 *    "servers": [{"ns", "address", "port", "source", "authoritative",
 *                 "serial"|null, "ns_served"|null, "problems": [...]}],
 *    "unreachable_targets": [{"ns", "problems": [...]}],
 *    "problems": [{"code", "ns", "address"|null, "message"}]}
 * problems at the top repeat every problem of the servers and targets, in
 * order, for scripts that only want the codes. */
json_t *view_delegation_check(const dns_live_expect_t *e, const dns_live_report_t *r);

/* A check of a zone's own delegation:
 *   {"zone", "ok", "serial", "ns", "parent"|null,
 *    "parent_servers": [{"ns", "address", "delegated", "ns_served"|null,
 *                        "problems": [...]}],
 *    "servers": [...], "unreachable_targets": [...] (as above),
 *    "problems": [{"code", "ns"|null, "address"|null, "message"}]} */
json_t *view_zone_check(const dns_live_expect_t *e, const dns_live_zone_report_t *r);

#endif
