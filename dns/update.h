/*
 * update.h - DNS UPDATE (RFC 2136): the message as typed data, its
 * prerequisites evaluated against the zone as it is, and its update
 * section translated into the records to delete, the TTLs to change and
 * the records to create - the shape of one batch of the change model, to
 * be checked by the rules and committed in one transaction by the caller.
 *
 * Names are absolute lowercase text ("www.example.com."); types are
 * mnemonics ("TXT", or "TYPE65280" for types dnsapi does not know); record
 * data is the normalized content dns_rdata_normalize() gives (MX/SRV
 * priority apart), so it compares equal to stored content.
 *
 * What this module decides and what it leaves to the caller:
 *  - here: every RFC 2136 section 3 format check (FORMERR, NOTZONE, the
 *    zone section's NOTAUTH for a class other than IN), the prerequisite
 *    rcodes (NXDOMAIN, YXDOMAIN, NXRRSET, YXRRSET), the order in which RFC
 *    2136 reports them, the sequential meaning of the update section (each
 *    RR applies to the zone as the earlier ones left it), adds of an
 *    existing RR as no-ops, deleting all RRsets at the apex keeping the SOA
 *    and NS (3.4.2.3), one TTL per RRset (RFC 2181 5.2: an RRset takes the
 *    TTL of the last RR added to it), and refusing an add whose name, type
 *    or content dnsapi cannot store (REFUSED, the rule in err.code);
 *  - the caller: which zone the zone section names (NOTAUTH when none),
 *    TSIG (dns/tsig.h), credentials and policies (dns/policy.h) for every
 *    operation, the zone rules on the result (dns_rules_*: SOA and apex NS
 *    are system records and refused, CNAME beside other data, TTL bounds,
 *    ...), and the transaction.
 *
 * No I/O. A dns_update_t owns all its strings.
 */
#ifndef DNSAPI_DNS_UPDATE_H
#define DNSAPI_DNS_UPDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "dns/dns.h"
#include "dns/message.h"

/* At most this many prerequisite and update records in one message; more
 * is REFUSED (code too_many_records). */
#define DNS_UPDATE_MAX_RRS 1000

typedef enum {
    DNS_PREREQ_RRSET_EXISTS = 1, /* class ANY, type T: an RRset exists (value-independent) */
    DNS_PREREQ_RRSET_VALUE,      /* class IN: an RRset exists with exactly these RRs */
    DNS_PREREQ_RRSET_ABSENT,     /* class NONE, type T: the RRset does not exist */
    DNS_PREREQ_NAME_IN_USE,      /* class ANY, type ANY */
    DNS_PREREQ_NAME_NOT_IN_USE,  /* class NONE, type ANY */
} dns_prereq_kind_t;

typedef enum {
    DNS_UPDATE_ADD = 1,      /* class IN: add an RR */
    DNS_UPDATE_DELETE_RRSET, /* class ANY, type T: delete an RRset */
    DNS_UPDATE_DELETE_NAME,  /* class ANY, type ANY: delete all RRsets at a name */
    DNS_UPDATE_DELETE_RR,    /* class NONE: delete one RR */
} dns_update_kind_t;

/* One prerequisite or update record. */
typedef struct {
    int kind;   /* dns_prereq_kind_t or dns_update_kind_t */
    char *name; /* absolute lowercase text */
    uint16_t rrtype;
    char type[16]; /* "TXT", "ANY", "TYPE65280" */
    uint32_t ttl;
    /* For RRSET_VALUE, ADD and DELETE_RR: the normalized content (SOA: its
     * text as read) and MX/SRV priority (-1 otherwise). content is NULL
     * when dnsapi cannot store this RR; refusal then says why (the name,
     * the type or the content, with the rule in refusal->code). Such an RR
     * matches nothing in the zone and an ADD of it is REFUSED. */
    char *content;
    int priority;
    dnsapi_err_t *refusal;
} dns_update_rr_t;

typedef struct {
    uint16_t id;
    char zone[DNS_WIRE_NAME_TEXT]; /* the zone section's name */
    dns_update_rr_t *prereqs;
    size_t n_prereqs;
    dns_update_rr_t *updates;
    size_t n_updates;
    /* RFC 2136 checks the update section (3.4.1) only after the
     * prerequisites (3.2): a format fault found there is kept here and
     * reported by dns_update_evaluate() in that order. 0 when none. */
    uint16_t update_rcode;
    size_t update_fault_index;
    dnsapi_err_t update_fault;
} dns_update_t;

/* Why a message is answered with an rcode other than NOERROR. */
typedef struct {
    uint16_t rcode;   /* DNS_RCODE_* */
    int section;      /* 0 zone, 1 prerequisite, 2 update */
    size_t index;     /* the record at fault within its section */
    dnsapi_err_t err; /* err.code names the rule (or "formerr", "notzone", ...); the
                         message is the EXTRA-TEXT of the answer */
} dns_update_result_t;

/* Parses the UPDATE message msg[0..len) whose frame dns_msg_info_parse()
 * has read into info (opcode UPDATE). On success *out is a new
 * dns_update_t (free with dns_update_free). Otherwise returns
 * DNSAPI_EBADREQ with res->rcode FORMERR (counts, classes, TTLs, rdlength,
 * malformed record data, ZTYPE not SOA), NOTZONE (a prerequisite outside
 * the zone), NOTAUTH (zone class other than IN) or REFUSED (too many
 * records; DNSAPI_ENOMEM when out of memory). */
int dns_update_parse(const uint8_t *msg, size_t len, const dns_msg_info_t *info, dns_update_t **out,
                     dns_update_result_t *res);

void dns_update_free(dns_update_t *u);

/* The distinct owner names of u's prerequisites and updates, in order of
 * first appearance, as pointers into u: the caller fetches the records at
 * these names (records at other names play no part in evaluation). Writes
 * at most max and returns how many there are. */
size_t dns_update_names(const dns_update_t *u, const char **out, size_t max);

/* The result of an update: records[deletes[i]] go, records[patches[i].index]
 * get TTL patches[i].ttl, posts[i] are created. Posts point into the
 * dns_update_t they came from (content normalized, priority -1 unless
 * MX/SRV). Applying all deletes, then patches, then posts (the batch
 * order) gives the zone the update section describes. */
typedef struct {
    size_t index;
    uint32_t ttl;
} dns_update_patch_t;

typedef struct {
    size_t *deletes;
    size_t n_deletes;
    dns_update_patch_t *patches;
    size_t n_patches;
    dns_record_t *posts;
    size_t n_posts;
} dns_update_ops_t;

void dns_update_ops_clear(dns_update_ops_t *ops);

/* Evaluates u's prerequisites (RFC 2136 3.2.5) against records, the
 * zone's records at the names dns_update_names() gave (normalized, as
 * stored; more are harmless). DNSAPI_OK when all hold; otherwise
 * DNSAPI_ECONFLICT with res->rcode NXDOMAIN, YXDOMAIN, NXRRSET or YXRRSET
 * and the failing prerequisite in res->index. */
int dns_update_check_prereqs(const dns_update_t *u, const dns_record_t *records, size_t n,
                             dns_update_result_t *res);

/* Translates u's update section, applied in order to records, into ops
 * (cleared first; free with dns_update_ops_clear). DNSAPI_EBADREQ with
 * res->rcode FORMERR or NOTZONE for the format faults of 3.4.1;
 * DNSAPI_EINVAL with res->rcode REFUSED when an add cannot be stored
 * (res->err from the record's refusal); DNSAPI_ENOMEM. An update that
 * changes nothing gives empty ops. */
int dns_update_plan(const dns_update_t *u, const dns_record_t *records, size_t n,
                    dns_update_ops_t *ops, dns_update_result_t *res);

/* Both, in the RFC's order: prerequisites, then the update section. */
int dns_update_evaluate(const dns_update_t *u, const dns_record_t *records, size_t n,
                        dns_update_ops_t *ops, dns_update_result_t *res);

#endif
