/*
 * delegation.h - static analysis of the delegations in a zone: every NS set
 * below the apex with its glue, the data it hides, and the problems a
 * person should fix before the child zone can work.
 *
 * Pure: no I/O, no allocation the caller cannot free with
 * dns_delegations_clear. The input is the zone's served records (leave
 * disabled ones out), typed as storage hands them over: absolute lowercase
 * names, content as dns_rdata_normalize stores it, in any order (in DNS
 * order, as storage lists records, the sort is skipped). The result borrows
 * the records (pointers into the caller's array and their strings): keep
 * them alive and unchanged until dns_delegations_clear.
 *
 * Terms (RFC 8499): a delegation point (a "cut") is a name strictly below
 * the apex that holds NS records and is not itself below another cut.
 * Records at the cut other than NS and DS, and every record below it, are
 * not authoritative data of this zone: A/AAAA there are glue, anything else
 * is occluded. An NS target at or below its cut needs glue; one inside the
 * zone but outside every cut needs A/AAAA records as zone data; one below
 * another cut (a sibling) is reached through that delegation; one outside
 * the zone is resolved elsewhere.
 *
 * Everything comes out in DNS canonical order (RFC 4034 section 6.1), so an
 * API can page through delegations by index or by name.
 */
#ifndef DNSAPI_DNS_DELEGATION_H
#define DNSAPI_DNS_DELEGATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "dns/dns.h"

/* One served record of the zone: the fields every layer has. priority is
 * -1 when the type has none. */
typedef struct {
    const char *name;
    const char *type;
    const char *content;
    uint32_t ttl;
    int priority;
    const char *managed_by; /* a record of a kept delegation: its child zone's id, else NULL */
} dns_zone_rr_t;

/* Where an NS target lies, seen from the zone holding the delegation. */
typedef enum {
    DNS_NS_BELOW_CUT = 1, /* at or below the delegated name: needs glue */
    DNS_NS_IN_ZONE = 2,   /* authoritative data of this zone: needs A/AAAA here */
    DNS_NS_SIBLING = 3,   /* below another delegation of this zone */
    DNS_NS_OUT_OF_ZONE = 4,
    DNS_NS_ADDRESS = 5, /* not a host name: an IPv4 or IPv6 address */
} dns_ns_where_t;

/* One NS record of a delegation and what the zone knows about its target.
 * addrs are the A/AAAA records at the target held by this zone (glue for
 * DNS_NS_BELOW_CUT and DNS_NS_SIBLING, zone data for DNS_NS_IN_ZONE; none
 * otherwise), A before AAAA, each in content order. */
typedef struct {
    const dns_zone_rr_t *ns; /* the NS record: ns->content is the target */
    dns_ns_where_t where;
    const dns_zone_rr_t *const *addrs;
    size_t n_addrs;
    bool is_cname; /* the target holds a CNAME in this zone */
} dns_deleg_target_t;

/* What a glue record (A/AAAA at or below the cut) is for. */
typedef enum {
    DNS_GLUE_USED = 1,     /* the address of one of this delegation's targets */
    DNS_GLUE_SIBLING = 2,  /* the address of a target of another NS set in the zone */
    DNS_GLUE_UNNEEDED = 3, /* no NS record of the zone names it */
} dns_glue_use_t;

typedef struct {
    const dns_zone_rr_t *rr;
    dns_glue_use_t use;
} dns_deleg_glue_t;

/* Problem codes, stable for clients (openapi.yaml lists them):
 *   single_ns             fewer than two NS records
 *   ns_ttl_mismatch       the NS records do not share one TTL
 *   ns_target_is_address  an NS target is an IP address, not a host name
 *   ns_target_is_cname    an NS target holds a CNAME in this zone
 *   missing_glue          a target inside the delegated name has no A/AAAA
 *   ns_target_no_address  a target in this zone's own data has no A/AAAA
 *   glue_not_needed       A/AAAA below the cut that no NS record names
 *   occluded              other data at or below the cut, hidden by it
 * subject names the record owner or target at fault. */
#define DNS_DELEG_CODE_SIZE 24

typedef struct {
    char code[DNS_DELEG_CODE_SIZE];
    char subject[DNS_NAME_BUFSIZE];
    char message[400];
} dns_deleg_problem_t;

/* One delegation point. targets are in target-name order, one per NS
 * record; glue and occluded in DNS order (name, type, content); ds are the
 * DS records at the cut. ttl is the smallest NS TTL. Problems come in a
 * fixed order: single_ns, ns_ttl_mismatch, then per target (in order)
 * ns_target_is_address, ns_target_is_cname, missing_glue,
 * ns_target_no_address, then glue_not_needed per glue owner, then one
 * occluded naming how many records are hidden. */
typedef struct {
    const char *name;
    uint32_t ttl;
    const dns_deleg_target_t *targets;
    size_t n_targets;
    const dns_deleg_glue_t *glue;
    size_t n_glue;
    const dns_zone_rr_t *const *ds;
    size_t n_ds;
    const dns_zone_rr_t *const *occluded;
    size_t n_occluded;
    const dns_deleg_problem_t *problems;
    size_t n_problems;
} dns_delegation_t;

/* The delegations of a zone, in DNS order of their names. The arrays
 * behind the pointers above are owned here. */
typedef struct {
    dns_delegation_t *v;
    size_t n;
    /* storage, private */
    const dns_zone_rr_t **sorted;
    dns_deleg_target_t *targets_all;
    dns_deleg_glue_t *glue_all;
    const dns_zone_rr_t **occluded_all;
    dns_deleg_problem_t *problems_all;
    size_t n_problems_all, cap_problems_all;
} dns_delegations_t;

/* Analyses the n records rrs of zone (a normalized zone name). Records
 * outside the zone are ignored. On success out holds every delegation
 * below the apex (out->n may be 0) and must be released with
 * dns_delegations_clear. Returns DNSAPI_OK or DNSAPI_ENOMEM (out is then
 * empty and needs no clear, though a clear does no harm). */
int dns_delegations_analyze(const char *zone, const dns_zone_rr_t *rrs, size_t n,
                            dns_delegations_t *out, dnsapi_err_t *err);

/* Frees what dns_delegations_analyze allocated; d is left empty. */
void dns_delegations_clear(dns_delegations_t *d);

/* The delegation whose point is name (normalized), or NULL: a name that
 * is not a delegation point (the apex, a name below a cut, a name without
 * NS records) has none. */
const dns_delegation_t *dns_delegations_find(const dns_delegations_t *d, const char *name);

/* The index of the first delegation whose name sorts after name in DNS
 * order (for keyset paging: pass the last name of the previous page). */
size_t dns_delegations_after(const dns_delegations_t *d, const char *name);

/* Compares two absolute names in DNS canonical order (labels from the
 * root down, each compared as lowercase bytes, a shorter label first):
 * <0, 0 or >0. Defined here until dns/name.c takes it. */
int dns_name_canonical_compare(const char *a, const char *b);

/* Short static names for the enums, as the API shows them: "below_cut",
 * "in_zone", "sibling", "out_of_zone", "address"; "used", "sibling",
 * "unneeded". */
const char *dns_ns_where_name(dns_ns_where_t where);
const char *dns_glue_use_name(dns_glue_use_t use);

#endif
