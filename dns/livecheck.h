/*
 * livecheck.h - judging a delegation from the answers its name servers
 * gave: pure functions over gathered answers, no I/O.
 *
 * Who asks is dnsclient/check.c: for each NS target it finds addresses
 * (glue, the zone's own data, or the configured resolver), asks every
 * address for the SOA and the NS set of the child zone and for the
 * addresses of each glued name, and hands the answers here as
 * dns_answer_t (dns/reply.c turns a DNS message into one). The same
 * functions judge the zone's own delegation: the parent's referral against
 * the apex NS set, and the zone's own servers against its current serial.
 *
 * Problem codes, stable for clients (openapi.yaml lists them):
 *   per server:  lame, ns_mismatch, serial_drift, glue_mismatch, timeout,
 *                unreachable, bad_reply
 *   per target:  no_address, no_resolver, resolver_error
 *   zone's own:  parent_not_found, not_delegated, parent_ns_mismatch (and
 *                the per-server codes for the parent's servers)
 */
#ifndef DNSAPI_DNS_LIVECHECK_H
#define DNSAPI_DNS_LIVECHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "dns/delegation.h"
#include "dns/dns.h"

#define DNS_ADDR_BUFSIZE 46     /* an IPv6 address in text with its NUL */
#define DNS_ANSWER_MAX_ITEMS 16 /* NS names or addresses kept from one answer */
#define DNS_ANSWER_MAX_GLUE 16  /* additional-section addresses kept */

/* How a query ended. */
typedef enum {
    DNS_ANSWER_OK = 0,          /* a reply to the question: see rcode, aa, facts */
    DNS_ANSWER_TIMEOUT = 1,     /* no reply within the time allowed */
    DNS_ANSWER_UNREACHABLE = 2, /* port unreachable, TCP refused or reset, no route */
    DNS_ANSWER_GARBAGE = 3,     /* replies that are not DNS, or answer another question */
    DNS_ANSWER_DEADLINE = 4,    /* the check's overall deadline passed first */
    DNS_ANSWER_NOT_ASKED = 5,   /* the query was never sent */
} dns_answer_status_t;

/* An address the additional section gave for a name (glue in a
 * referral). */
typedef struct {
    char name[DNS_NAME_BUFSIZE];
    char address[DNS_ADDR_BUFSIZE];
} dns_answer_glue_t;

/* What one answer says about its question (qname, qtype). items are, by
 * qtype: NS - the NS targets at qname (from the answer section, else from
 * a referral in the authority section, then referral is set); A/AAAA - the
 * addresses at qname in the answer section (following one CNAME chain
 * inside the answer); SOA - nothing. Names are lowercase and absolute;
 * items are sorted and unique; truncated says items or glue held more
 * than fit. has_soa and serial come from an SOA whose owner is qname in
 * the answer section; soa_owner is the owner of any SOA in the answer or
 * authority section (the zone a negative answer came from). */
typedef struct {
    char qname[DNS_NAME_BUFSIZE]; /* the question, for messages */
    char qtype[8];
    dns_answer_status_t status;
    int rcode; /* status OK: the RCODE (0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN, 5 REFUSED) */
    bool aa, tc, tcp;
    char error[200]; /* status not OK: what happened, for people */
    bool has_soa;
    uint32_t serial;
    char soa_owner[DNS_NAME_BUFSIZE];
    bool referral;
    bool truncated;
    size_t n_items;
    char items[DNS_ANSWER_MAX_ITEMS][DNS_NAME_BUFSIZE];
    size_t n_glue;
    dns_answer_glue_t glue[DNS_ANSWER_MAX_GLUE];
} dns_answer_t;

/* Clears a and sets its question (qname absolute, qtype "SOA", "NS", "A",
 * "AAAA"); status becomes NOT_ASKED. */
void dns_answer_init(dns_answer_t *a, const char *qname, const char *qtype);

/* Sets a to status with a formatted error (status not OK). */
void dns_answer_fail(dns_answer_t *a, dns_answer_status_t status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Adds one item (NS name or address), keeping items sorted and unique. */
void dns_answer_add_item(dns_answer_t *a, const char *item);

/* An IPv4 or IPv6 address in its canonical text form (RFC 5952 for IPv6),
 * as answers carry them; anything else is copied as it is. */
void dns_address_canonical(const char *in, char *out, size_t outlen);

/* ---- the delegation's side ----------------------------------------- */

/* Where the address of a server came from. */
typedef enum {
    DNS_ADDR_GLUE = 1,     /* glue in the parent zone */
    DNS_ADDR_ZONE = 2,     /* the parent zone's own A/AAAA data */
    DNS_ADDR_RESOLVER = 3, /* DNSAPI_RESOLVER */
} dns_addr_source_t;

/* A glue address the parent holds: name (a target at or below the cut)
 * and address (text as dns_rdata_normalize stores it). */
typedef struct {
    const char *name;
    const char *address;
    bool v6;
} dns_live_glue_t;

/* What the parent says: the child zone, its NS set and glue; with
 * has_serial (the zone's own check), the serial every server must serve. */
typedef struct {
    const char *zone;
    const char *const *ns;
    size_t n_ns;
    const dns_live_glue_t *glue;
    size_t n_glue;
    bool has_serial;
    uint32_t serial;
} dns_live_expect_t;

/* The names whose addresses each server is asked for: the distinct glue
 * names of expect, in order, each asked for A (index 2*i) and AAAA
 * (2*i+1). Returns how many names (at most max); names point into
 * expect. */
size_t dns_live_glue_names(const dns_live_expect_t *expect, const char **names, size_t max);

/* One server asked: an NS target at one address. glue_answers has
 * 2 * dns_live_glue_names() entries (A then AAAA per name). */
typedef struct {
    const char *ns;
    char address[DNS_ADDR_BUFSIZE];
    uint16_t port;
    dns_addr_source_t source;
    dns_answer_t soa;
    dns_answer_t ns_set;
    dns_answer_t *glue_answers;
    size_t n_glue_answers;
} dns_live_server_t;

/* An NS target without an address to ask: where it lies, whether a
 * resolver was configured, and the resolver's answers for A and AAAA
 * (status NOT_ASKED when it was not asked). */
typedef struct {
    const char *ns;
    dns_ns_where_t where;
    bool have_resolver;
    dns_answer_t a, aaaa;
} dns_live_unreached_t;

#define DNS_LIVE_CODE_SIZE 24
#define DNS_LIVE_MAX_PROBLEMS 8

typedef struct {
    char code[DNS_LIVE_CODE_SIZE];
    char message[640];
} dns_live_problem_t;

/* The verdict on one server (borrowing it). ns_served are its apex NS set
 * (when it answered the NS query with authority, else n_ns_served is 0 and
 * ns_answered false). more_problems counts problems beyond the array. */
typedef struct {
    const dns_live_server_t *server;
    bool authoritative;
    bool has_serial;
    uint32_t serial;
    bool ns_answered;
    const char (*ns_served)[DNS_NAME_BUFSIZE];
    size_t n_ns_served;
    dns_live_problem_t problems[DNS_LIVE_MAX_PROBLEMS];
    size_t n_problems;
    size_t more_problems;
} dns_live_server_result_t;

typedef struct {
    const dns_live_unreached_t *target;
    dns_live_problem_t problem;
} dns_live_target_result_t;

/* The verdict on a delegation: one result per server asked, in the order
 * given, and one per target that could not be asked. ok when nothing
 * has a problem. */
typedef struct {
    dns_live_server_result_t *servers;
    size_t n_servers;
    dns_live_target_result_t *unreached;
    size_t n_unreached;
    bool ok;
} dns_live_report_t;

/* Judges the servers' answers against expect: per server lame (refused,
 * SERVFAIL, no authority, no SOA of the zone), ns_mismatch (its apex NS set
 * differs from expect's, both named), serial_drift (behind the newest
 * serial another server serves, or, with expect->has_serial, not that
 * serial), glue_mismatch (a glued name's addresses it serves differ from
 * the glue, per family the glue holds), timeout / unreachable / bad_reply
 * (a query failed; DEADLINE counts as timeout); per unreached target
 * no_address, no_resolver or resolver_error. out must be released with
 * dns_live_report_clear. Returns DNSAPI_OK or DNSAPI_ENOMEM. */
int dns_live_check(const dns_live_expect_t *expect, const dns_live_server_t *servers,
                   size_t n_servers, const dns_live_unreached_t *unreached, size_t n_unreached,
                   dns_live_report_t *out, dnsapi_err_t *err);

void dns_live_report_clear(dns_live_report_t *r);

/* The addresses a resolver gave for a target (items of its A and AAAA
 * answers when NOERROR): writes up to max into out and returns how many. */
size_t dns_live_resolved_addresses(const dns_live_unreached_t *t, char (*out)[DNS_ADDR_BUFSIZE],
                                   size_t max);

/* ---- the zone's own delegation ------------------------------------- */

/* The parent zone of zone, from the resolver's answer to "SOA <zone
 * without its first label>": the owner of the SOA it carries (answer or
 * authority), which must lie strictly above zone. Writes it to out and
 * returns true, else false. */
bool dns_live_parent_from_answer(const char *zone, const dns_answer_t *soa, char *out,
                                 size_t outlen);

/* The name "SOA <name>" is asked for to find zone's parent: zone without
 * its first label ("." for a top-level name). */
const char *dns_live_parent_probe_name(const char *zone);

/* One server of the parent zone asked for "NS <zone>" without recursion. */
typedef struct {
    const char *ns;
    char address[DNS_ADDR_BUFSIZE];
    uint16_t port;
    dns_answer_t referral;
} dns_live_parent_server_t;

typedef struct {
    const dns_live_parent_server_t *server;
    bool delegated;
    const char (*ns_served)[DNS_NAME_BUFSIZE];
    size_t n_ns_served;
    dns_live_problem_t problems[DNS_LIVE_MAX_PROBLEMS];
    size_t n_problems;
    size_t more_problems;
} dns_live_parent_result_t;

/* The verdict on the zone's own delegation: the parent zone (empty when it
 * was not found), one result per parent server, zone-level problems
 * (parent_not_found, no_resolver), and the zone's own servers judged as a
 * delegation whose expect carries the current serial. */
typedef struct {
    char parent[DNS_NAME_BUFSIZE];
    dns_live_parent_result_t *parents;
    size_t n_parents;
    dns_live_problem_t problems[DNS_LIVE_MAX_PROBLEMS];
    size_t n_problems;
    dns_live_report_t own;
    bool ok;
} dns_live_zone_report_t;

/* What was learnt about the parent: have_resolver; parent_probe, the
 * resolver's answer to dns_live_parent_probe_name (NOT_ASKED without a
 * resolver); parent_ns, its answer to "NS <parent>"; and the parent's
 * servers with their referrals. */
typedef struct {
    bool have_resolver;
    const dns_answer_t *parent_probe;
    const dns_answer_t *parent_ns;
    const dns_live_parent_server_t *servers;
    size_t n_servers;
} dns_live_parent_t;

/* Judges the zone's own delegation: each parent server's referral for
 * own->zone against own->ns (not_delegated when it has none,
 * parent_ns_mismatch naming both sets, and the per-server failure codes),
 * then the zone's own servers through dns_live_check (own->has_serial
 * should be set). Release with dns_live_zone_report_clear. */
int dns_live_check_zone(const dns_live_expect_t *own, const dns_live_parent_t *parent,
                        const dns_live_server_t *servers, size_t n_servers,
                        const dns_live_unreached_t *unreached, size_t n_unreached,
                        dns_live_zone_report_t *out, dnsapi_err_t *err);

void dns_live_zone_report_clear(dns_live_zone_report_t *r);

/* Short static names: "glue", "zone", "resolver"; "ok", "timeout",
 * "unreachable", "garbage", "deadline", "not_asked". */
const char *dns_addr_source_name(dns_addr_source_t source);
const char *dns_answer_status_name(dns_answer_status_t status);

#endif
