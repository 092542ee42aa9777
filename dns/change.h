/*
 * change.h - the one change model: every write to a zone, whichever way it
 * arrives (a record POST, PATCH or DELETE, a batch, an import, later DNS
 * UPDATE and delegation upkeep), is a dns_change_t - a list of operations
 * on records - checked against a dns_view_t - the zone as it will be after
 * the change, at the names the change touches - by one entry point,
 * dns_rules_check_change (dns/rules.c).
 *
 * The flow every write path follows:
 *   1. build the change: dns_change_post / dns_change_patch / dns_change_delete
 *      (a post's record normalized by dns_record_from_fields);
 *   2. storage loads the stored records the change names by id and the
 *      records at the names dns_change_interest lists, and hands them to
 *      dns_view_add (typed rows; storage/store_change.h);
 *   3. dns_view_bind ties each delete and patch to its stored record and
 *      applies the patches (dns_record_patch); a patch may reach new names
 *      (an NS pointed elsewhere), which dns_view_missing lists for one more
 *      load;
 *   4. dns_rules_check_change runs every rule on the view (dns/rules.c);
 *   5. storage writes the change in the same transaction.
 *
 * Nothing here does I/O. Records are borrowed pointers to strings kept in
 * the change's or the view's arena; a view never caps what it holds.
 */
#ifndef DNSAPI_DNS_CHANGE_H
#define DNSAPI_DNS_CHANGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"
#include "common/error.h"
#include "dns/dns.h" /* dns_warning_t */

/* A record as every layer sees it. Names are normalized (absolute,
 * lowercase); content is normalized for its type, without the priority of
 * MX and SRV. */
typedef struct {
    const char *id; /* NULL for a record not stored yet */
    const char *name;
    const char *type;
    const char *content;
    uint32_t ttl;
    int priority; /* -1: none */
    bool disabled;
    bool system;
    const char *comment;    /* NULL: none */
    const char *created_at; /* as storage shows them; NULL for new records */
    const char *updated_at;
    /* the child zone (its id) whose delegation this record is part of: an
     * NS record at the child's apex or its glue, kept by dnsapi from the
     * child's apex NS set (system too); NULL for every other record */
    const char *managed_by;
} dns_record_t;

/* The fields of a write as a client gave them (JSON, a master-file line, a
 * DNS UPDATE record). has_* say whether a field was given; a comment given
 * as null clears it (has_comment, comment NULL). */
typedef struct {
    const char *name, *type, *content;
    const char *origin; /* a master file's $ORIGIN: names in content without
                           a trailing dot are relative to it; NULL: the API's
                           rules (fully qualified, single labels refused) */
    bool has_ttl, has_priority, has_disabled, has_comment;
    long long ttl, priority;
    bool disabled;
    const char *comment;
    /* an apex NS record of a name-server change (dns_change_nameservers):
     * read like any NS record instead of being left to the system_record
     * rule */
    bool apex_ns;
} dns_fields_t;

/* The configured bounds writes are held to. */
typedef struct {
    uint32_t ttl_min, ttl_max;
} dns_limits_t;

/* ---- records from fields (dns/record.c) ------------------------------ */

/* True for the records dnsapi owns: the SOA, and NS at the apex. */
bool dns_record_is_system_kind(const char *zone, const char *name, const char *type);

/* Warnings that reading a record's content gives (target_not_hostname):
 * kept with its operation and reported by dns_rules_check_change. */
typedef struct {
    dns_warning_t v[DNS_RDATA_MAX_WARNINGS];
    size_t n;
} dns_record_warnings_t;

/* A new record from fields: name, type and content required and
 * normalized against zone; priority inside content or as a field; disabled
 * and comment as given. The TTL is left to dns_view_bind when not given
 * (it joins its RRset's TTL, else the type's default). A record dnsapi owns
 * (dns_record_is_system_kind) is not normalized further: the rules refuse
 * it as system_record. Strings are copied into a; warnings (may be NULL)
 * gets what reading the content warns of. */
int dns_record_from_fields(const char *zone, const dns_fields_t *f, arena_t *a, dns_record_t *out,
                           dns_record_warnings_t *warnings, dnsapi_err_t *err);

/* old with the fields of a patch applied (content, ttl, priority, disabled,
 * comment; name and type never change): content normalized again, the
 * priority kept when new content gives none. Strings are copied into a. */
int dns_record_patch(const char *zone, const dns_record_t *old, const dns_fields_t *f, arena_t *a,
                     dns_record_t *out, dns_record_warnings_t *warnings, dnsapi_err_t *err);

/* True when two records hold the same data (type, content, priority). */
bool dns_record_same_data(const dns_record_t *a, const dns_record_t *b);

/* ---- the change ------------------------------------------------------ */

typedef enum {
    DNS_OP_DELETE = 1,
    DNS_OP_PATCH = 2,
    DNS_OP_POST = 4,
} dns_op_kind_t;

typedef struct {
    dns_op_kind_t kind;
    const char *list; /* where the client listed it ("posts", "records"), or
                         NULL for a single write: errors name list[index] */
    size_t index;
    unsigned line;                  /* a master file's line, or 0 */
    const char *id;                 /* DELETE, PATCH: the stored record's id */
    dns_fields_t fields;            /* PATCH: the fields to apply */
    dns_record_t rec;               /* POST, PATCH: the record as it will be */
    const dns_record_t *old;        /* DELETE, PATCH: the stored record (bound) */
    bool noop;                      /* a PATCH that changes nothing */
    dns_record_warnings_t warnings; /* from reading its content */
} dns_op_t;

typedef struct {
    const char *zone; /* normalized zone name */
    arena_t arena;
    dns_op_t *ops;
    size_t n, cap;
    /* a change of the zone's name servers (dns_change_nameservers), the
     * only change that may write apex NS records: the names in order (the
     * first becomes the SOA's MNAME); false and 0 for every other change */
    bool nameservers;
    const char **apex_ns;
    size_t n_apex_ns;
    /* dns_change_moves_delegation, set by the write engine after the
     * rules (storage syncs the parent's delegation when true) */
    bool moves_delegation;
} dns_change_t;

/* An empty change of zone (the name is copied). */
int dns_change_init(dns_change_t *c, const char *zone);
void dns_change_clear(dns_change_t *c);

/* Adds an operation; list/index say where the client put it. The new op
 * is zeroed but for kind, list and index; NULL when out of memory. */
dns_op_t *dns_change_add(dns_change_t *c, dns_op_kind_t kind, const char *list, size_t index);

/* How many operations of the kinds in mask (DNS_OP_* bits) c holds. */
size_t dns_change_count(const dns_change_t *c, unsigned mask);

/* True when writing c may change the delegation of its zone that its
 * parent holds (a linked child zone, migrations/0040): a name-server
 * change, or an address record written at the name of one of the zone's
 * apex name servers apex_ns (n of them: its glue in the parent); with
 * apex_ns NULL, any address record written. The write engine sets
 * c->moves_delegation from it once the change is checked, and storage then
 * asks for the sync. */
bool dns_change_moves_delegation(const dns_change_t *c, const char *const *apex_ns, size_t n);

/* ---- the zone's name servers (dns/nameservers.c) --------------------- */

struct dns_report;

#define DNS_NAMESERVERS_MIN 2
#define DNS_NAMESERVERS_MAX 13

/* Makes c the change of the apex NS set to names[0..n) (as given: host
 * names, absolute or not), given the stored records at the apex (the SOA
 * and the apex NS set, from the view): deletes of the stored apex NS
 * records and posts of the new ones (list "nameservers", entry i), or no
 * operation at all when the set and its first name (the SOA's MNAME) are
 * already those. Names that cannot be read are errors in rep (then no
 * operation is added); the rules (system_record, missing_glue,
 * too_few_nameservers, ns_target_is_cname, duplicate) judge the rest. */
int dns_change_nameservers(dns_change_t *c, const char *const *names, size_t n,
                           const dns_record_t *const *stored, size_t n_stored,
                           struct dns_report *rep);

/* ---- sets of names --------------------------------------------------- */

typedef struct {
    const char **v; /* sorted, unique */
    size_t n, cap;
} dns_names_t;

/* Adds name (copied into a) when absent. */
int dns_names_add(dns_names_t *s, arena_t *a, const char *name);
bool dns_names_has(const dns_names_t *s, const char *name);
void dns_names_clear(dns_names_t *s);

/* The names strictly between name and zone (where a delegation above name
 * may be), nearest first, each as a pointer into name (no copy): there are
 * at most 127. Returns how many. */
size_t dns_name_parents(const char *zone, const char *name, const char **out, size_t max);

/* ---- the view -------------------------------------------------------- */

typedef struct dns_view dns_view_t;

/* What a change needs the view to hold: the records at each name in at,
 * the NS records whose target is a name in pointing, and for each name in
 * below a record strictly below it when there is one (besides those the
 * change deletes or patches, which the view holds anyway). */
typedef struct {
    dns_names_t at, pointing, below;
} dns_interest_t;

/* A view of zone; NULL when out of memory. */
dns_view_t *dns_view_new(const char *zone);
void dns_view_free(dns_view_t *v);

/* A stored record (copied). Records already added (same id) are ignored. */
int dns_view_add(dns_view_t *v, const dns_record_t *rec);

/* Says which names the stored records added cover; with complete, the
 * view holds the whole zone. */
int dns_view_covered(dns_view_t *v, const dns_interest_t *in, bool complete);

/* Marks as covered the names of the stored records c's deletes and patches
 * name (the records at each name, the NS records pointing at it): a load
 * by ids brings those too (store_load_t). Ids the view does not hold are
 * skipped. */
int dns_view_covered_around(dns_view_t *v, const dns_change_t *c);

/* What the change needs, given its records as far as known: for each post
 * and patch (once bound), its name and the names above it up to and with
 * the apex;
 * for NS records the in-zone target; for CNAME, A and AAAA records the NS
 * records pointing at the name; for a DNAME whether a record lies below
 * it. For a delete (once bound), what its rules
 * read: its name, and for A and AAAA the NS records pointing at it. A
 * patch not bound yet asks for the apex, which it will need. Names
 * already covered by the view are left out when v is not NULL. Copies into
 * c's arena. */
int dns_change_interest(dns_change_t *c, const dns_view_t *v, dns_interest_t *out);
void dns_interest_clear(dns_interest_t *in);

/* Ties deletes and patches to their stored records, applies the patches
 * (marking the ones that change nothing), gives records without a TTL the
 * TTL of their RRset (else the type's default), and builds the zone as it
 * will be. A delete or patch of an id the view does not hold fails with
 * DNSAPI_ENOTFOUND; a bad patch with its error. Errors go to rep (see
 * dns_report_t); returns DNSAPI_OK or the first error's status. Call again
 * after adding more records: it starts over. */
typedef struct dns_report dns_report_t;
int dns_view_bind(dns_view_t *v, dns_change_t *c, dns_report_t *rep);

/* The zone name of the view. */
const char *dns_view_zone(const dns_view_t *v);

/* Records at name after the change (borrowed, contiguous): sets *out and
 * returns how many. The name must be covered. */
size_t dns_view_at(const dns_view_t *v, const char *name, const dns_record_t *const **out);

/* NS records after the change whose target is name. */
size_t dns_view_ns_pointing(const dns_view_t *v, const char *name, const dns_record_t *const **out);

/* A record strictly below name after the change, or NULL. The name must
 * be covered (interest below). */
const dns_record_t *dns_view_below(const dns_view_t *v, const char *name);

/* The nearest name strictly between name and the apex that holds NS
 * records after the change (a delegation point above name), or NULL. */
const char *dns_view_delegation_above(const dns_view_t *v, const char *name);

/* The stored records the view was given, each once (the view's copies). */
size_t dns_view_stored(dns_view_t *v, const dns_record_t *const **out);

/* Every record after the change, in name order (for a complete view). */
size_t dns_view_all(const dns_view_t *v, const dns_record_t *const **out);

/* ---- reports: the errors and warnings of a check --------------------- */

typedef struct {
    const dns_op_t *op; /* the entry at fault, or NULL */
    dnsapi_err_t err;
    char existing_id[40];   /* duplicate: the record already there, if any */
    long long expected_ttl; /* ttl_mismatch: the RRset's TTL, else -1 */
} dns_problem_t;

#define DNS_REPORT_WARNINGS 16

struct dns_report {
    dns_problem_t *errors;
    size_t n_errors, cap_errors;
    size_t max_errors;  /* keep at most this many (1: stop at the first) */
    size_t more_errors; /* counted beyond max_errors */
    dns_warning_t warnings[DNS_REPORT_WARNINGS];
    size_t n_warnings;
};

/* An empty report that keeps max_errors errors (at least 1). */
void dns_report_init(dns_report_t *r, size_t max_errors);
void dns_report_clear(dns_report_t *r);

/* Adds an error about op (NULL: the change as a whole); returns its
 * status. */
int dns_report_error(dns_report_t *r, const dns_op_t *op, const dnsapi_err_t *err);

/* The same with the extras of a problem (p->op is set to op). */
int dns_report_problem(dns_report_t *r, const dns_op_t *op, const dns_problem_t *p);

/* Adds a warning unless the same message is there already. */
void dns_report_warning(dns_report_t *r, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Adds src's errors (up to dst's cap; the rest counted) and warnings to
 * dst. */
void dns_report_merge(dns_report_t *dst, const dns_report_t *src);

/* True when the report holds an error. */
bool dns_report_failed(const dns_report_t *r);

/* ---- the rules (dns/rules.c) ----------------------------------------- */

/* Runs every rule of the rules table on every operation of c against v
 * (bound): system records, TTL bounds, names and targets, CNAME
 * exclusivity, duplicates, one TTL per RRset, name-server targets and
 * their addresses (missing_glue); then the warnings (a single NS, occluded
 * data). Errors and warnings go to rep; returns DNSAPI_OK or the status of the first error. */
int dns_rules_check_change(const dns_limits_t *lim, const dns_change_t *c, const dns_view_t *v,
                           dns_report_t *rep);

#endif
