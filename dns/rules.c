/*
 * rules.c - every zone rule, as one table, run by one entry point that
 * every write path calls: dns_rules_check_change.
 *
 * A rule is a row: the code it reports, the operations it applies to, and
 * a check that looks at one operation's record in the view of the zone as
 * it will be after the change (dns/change.h). An operation stops at its
 * first failing rule, so the order of the rows is the order in which a
 * client learns about problems (an exact repeat reads as a duplicate
 * before it reads as a TTL mismatch). Warnings are rows of a second table,
 * run when no rule failed. A new rule is a new row.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "dns/change.h"
#include "dns/dns.h"

typedef struct {
    const dns_limits_t *lim;
    const dns_change_t *c;
    const dns_view_t *v;
    const char *zone;
} rule_ctx_t;

/* Checks op; on a violation fills p->err (and the problem's extras) and
 * returns its status. */
typedef int (*rule_check_fn)(const rule_ctx_t *x, const dns_op_t *op, dns_problem_t *p);
typedef void (*warning_fn)(const rule_ctx_t *x, const dns_op_t *op, dns_report_t *rep);

typedef struct {
    const char *code;
    unsigned ops; /* DNS_OP_* bits */
    rule_check_fn check;
} rule_t;

static bool type_is(const char *type, const char *want)
{
    return strcasecmp(type, want) == 0;
}

/* The first label of a name is "*". */
static bool is_wildcard(const char *name)
{
    return name[0] == '*' && name[1] == '.';
}

/* ---- the rules ------------------------------------------------------- */

static int rule_system(const rule_ctx_t *x, const dns_op_t *op, dns_problem_t *p)
{
    /* a patch is judged by the record it would change */
    const dns_record_t *r = op->kind == DNS_OP_POST ? &op->rec : op->old;
    const char *verb = op->kind == DNS_OP_POST     ? "created"
                       : op->kind == DNS_OP_DELETE ? "deleted"
                                                   : "changed";
    if (type_is(r->type, "SOA")) {
        return dnsapi_err_set(&p->err, DNSAPI_ESYSTEM, "system_record", "type",
                              "The SOA record is managed by dnsapi (its serial rises with every "
                              "change) and cannot be %s; NS records for subdomains (delegations) "
                              "are allowed.",
                              verb);
    }
    if (type_is(r->type, "NS") && strcasecmp(r->name, x->zone) == 0) {
        if (x->c->nameservers && op->kind != DNS_OP_PATCH) {
            return DNSAPI_OK; /* the name-server change replaces them */
        }
        return dnsapi_err_set(&p->err, DNSAPI_ESYSTEM, "system_record", "name",
                              "The NS records at the zone apex (%s) are managed by dnsapi and "
                              "cannot be %s here (PUT /v1/zones/{zone}/nameservers changes them); "
                              "NS records for subdomains (delegations) are allowed.",
                              x->zone, verb);
    }
    if (r->managed_by != NULL) {
        return dnsapi_err_set(&p->err, DNSAPI_ESYSTEM, "system_record", NULL,
                              "%s %s is part of the delegation to the child zone %s, which dnsapi "
                              "keeps equal to that zone's name servers, and cannot be %s here: "
                              "change the child's name servers (PUT "
                              "/v1/zones/{zone}/nameservers), or delete the child zone.",
                              r->type, r->name, r->managed_by, verb);
    }
    if (r->system) {
        return dnsapi_err_set(&p->err, DNSAPI_ESYSTEM, "system_record", NULL,
                              "%s %s is a system record managed by dnsapi and cannot be %s; NS "
                              "records for subdomains are allowed.",
                              r->type, r->name, verb);
    }
    return DNSAPI_OK;
}

/* A delegation to a child zone of the same account is dnsapi's
 * (migrations/0040): a new NS record at its cut, or a new address at one
 * of its glue names, would change the set dnsapi keeps equal to the
 * child's. DS records at the cut stay the account's (DNSSEC). */
static int rule_managed_delegation(const rule_ctx_t *x, const dns_op_t *op, dns_problem_t *p)
{
    const dns_record_t *rr = &op->rec;
    bool ns = type_is(rr->type, "NS");
    if (!ns && !type_is(rr->type, "A") && !type_is(rr->type, "AAAA")) {
        return DNSAPI_OK;
    }
    const dns_record_t *const *at;
    size_t n = dns_view_at(x->v, rr->name, &at);
    for (size_t i = 0; i < n; i++) {
        const dns_record_t *m = at[i];
        if (m == rr || m->managed_by == NULL) {
            continue;
        }
        if (ns && type_is(m->type, "NS")) {
            return dnsapi_err_set(&p->err, DNSAPI_ESYSTEM, "system_record", "name",
                                  "The NS set at %s is the delegation to the child zone %s, which "
                                  "dnsapi keeps equal to that zone's name servers: change them "
                                  "with PUT /v1/zones/{zone}/nameservers on the child, or create "
                                  "the child with \"delegate\": false to write the delegation "
                                  "by hand.",
                                  rr->name, m->managed_by);
        }
        if (!ns && (type_is(m->type, "A") || type_is(m->type, "AAAA"))) {
            return dnsapi_err_set(&p->err, DNSAPI_ESYSTEM, "system_record", "name",
                                  "The addresses at %s are glue of the delegation to the child "
                                  "zone %s, which dnsapi copies from that zone: change the "
                                  "address records in the child zone instead.",
                                  rr->name, m->managed_by);
        }
    }
    return DNSAPI_OK;
}

static int rule_ttl_range(const rule_ctx_t *x, const dns_op_t *op, dns_problem_t *p)
{
    uint32_t ttl = op->rec.ttl;
    if (ttl < x->lim->ttl_min || ttl > x->lim->ttl_max) {
        return dnsapi_err_set(&p->err, DNSAPI_EINVAL, "ttl_out_of_range", "ttl",
                              "The TTL %u is out of range: give a number of seconds from %u to "
                              "%u.",
                              ttl, x->lim->ttl_min, x->lim->ttl_max);
    }
    return DNSAPI_OK;
}

static int rule_ns_wildcard(const rule_ctx_t *x, const dns_op_t *op, dns_problem_t *p)
{
    (void)x;
    if (type_is(op->rec.type, "NS") && is_wildcard(op->rec.name)) {
        return dnsapi_err_set(&p->err, DNSAPI_EINVAL, "bad_wildcard", "name",
                              "NS records cannot be at a wildcard name (%s): a wildcard cannot "
                              "delegate, and name servers such as BIND refuse the whole zone; "
                              "delegate each subdomain by its own name.",
                              op->rec.name);
    }
    return DNSAPI_OK;
}

static int rule_cname_apex(const rule_ctx_t *x, const dns_op_t *op, dns_problem_t *p)
{
    if (type_is(op->rec.type, "CNAME") && strcasecmp(op->rec.name, x->zone) == 0) {
        return dnsapi_err_set(&p->err, DNSAPI_EINVAL, "cname_at_apex", "name",
                              "A CNAME cannot be at the zone apex %s, which must hold the SOA "
                              "and NS records: use A/AAAA records there, or put the CNAME on "
                              "a subdomain such as www.",
                              x->zone);
    }
    return DNSAPI_OK;
}

static int rule_ds_apex(const rule_ctx_t *x, const dns_op_t *op, dns_problem_t *p)
{
    if (type_is(op->rec.type, "DS") && strcasecmp(op->rec.name, x->zone) == 0) {
        return dnsapi_err_set(&p->err, DNSAPI_EINVAL, "ds_at_apex", "name",
                              "A DS record belongs in the parent zone, at a delegation point: "
                              "put it at the name of a delegated subdomain (next to its NS "
                              "records), or give it to the parent zone's operator.");
    }
    return DNSAPI_OK;
}

/* The first record of type at name after the change (name covered), or
 * NULL. */
static const dns_record_t *type_at(const rule_ctx_t *x, const char *name, const char *type)
{
    const dns_record_t *const *at;
    size_t n = dns_view_at(x->v, name, &at);
    for (size_t i = 0; i < n; i++) {
        if (type_is(at[i]->type, type)) {
            return at[i];
        }
    }
    return NULL;
}

/* A DNAME redirects every name below its owner, and NSD and Knot refuse
 * a zone with records below one (BIND loads it): no DNAME above a name
 * that holds records, nothing below a DNAME. */
static int rule_dname(const rule_ctx_t *x, const dns_op_t *op, dns_problem_t *p)
{
    const dns_record_t *rr = &op->rec;
    if (type_is(rr->type, "DNAME")) {
        const dns_record_t *below = dns_view_below(x->v, rr->name);
        if (below != NULL) {
            return dnsapi_err_set(&p->err, DNSAPI_EINVAL, "dname_conflict", "name",
                                  "A DNAME at %s redirects every name below it, yet the %s "
                                  "record at %s lies below it: name servers refuse such a "
                                  "zone. Delete the records below %s first, or put the DNAME "
                                  "elsewhere.",
                                  rr->name, below->type, below->name, rr->name);
        }
    }
    const char *parents[128];
    size_t n = dns_name_parents(x->zone, rr->name, parents, 128);
    bool apex_too = strcasecmp(rr->name, x->zone) != 0;
    for (size_t i = 0; i < n + apex_too; i++) {
        const char *above = i < n ? parents[i] : x->zone;
        const dns_record_t *dname = type_at(x, above, "DNAME");
        if (dname != NULL) {
            return dnsapi_err_set(&p->err, DNSAPI_EINVAL, "dname_conflict", "name",
                                  "%s lies below the DNAME at %s (to %s), which redirects "
                                  "every name below it: name servers refuse records there. "
                                  "Use another name, or delete the DNAME first.",
                                  rr->name, above, dname->content);
        }
    }
    return DNSAPI_OK;
}

static int rule_duplicate(const rule_ctx_t *x, const dns_op_t *op, dns_problem_t *p)
{
    const dns_record_t *const *at;
    size_t n = dns_view_at(x->v, op->rec.name, &at);
    for (size_t i = 0; i < n; i++) {
        if (at[i] != &op->rec && dns_record_same_data(at[i], &op->rec)) {
            if (at[i]->id != NULL) {
                snprintf(p->existing_id, sizeof(p->existing_id), "%s", at[i]->id);
                return dnsapi_err_set(&p->err, DNSAPI_ECONFLICT, "duplicate", "content",
                                      "This exact %s record already exists at %s (record %s).",
                                      op->rec.type, op->rec.name, at[i]->id);
            }
            return dnsapi_err_set(&p->err, DNSAPI_ECONFLICT, "duplicate", "content",
                                  "This exact %s record at %s is in the request twice.",
                                  op->rec.type, op->rec.name);
        }
    }
    return DNSAPI_OK;
}

static int rule_cname_alone(const rule_ctx_t *x, const dns_op_t *op, dns_problem_t *p)
{
    const dns_record_t *rr = &op->rec;
    bool is_cname = type_is(rr->type, "CNAME");
    const dns_record_t *const *at;
    size_t n = dns_view_at(x->v, rr->name, &at);
    for (size_t i = 0; i < n; i++) {
        const dns_record_t *other = at[i];
        if (other == rr) {
            continue;
        }
        if (is_cname && type_is(other->type, "CNAME")) {
            return dnsapi_err_set(&p->err, DNSAPI_ECONFLICT, "cname_conflict", "type",
                                  "%s already has a CNAME (to %s); a name has at most one: "
                                  "change that record instead.",
                                  rr->name, other->content);
        }
        if (is_cname) {
            return dnsapi_err_set(&p->err, DNSAPI_ECONFLICT, "cname_conflict", "type",
                                  "%s already has %s records; a CNAME must be alone at its "
                                  "name: delete them first, or use another name.",
                                  rr->name, other->type);
        }
        if (type_is(other->type, "CNAME")) {
            return dnsapi_err_set(&p->err, DNSAPI_ECONFLICT, "cname_conflict", "type",
                                  "%s is a CNAME (to %s), so it can hold no other records: "
                                  "delete the CNAME first, or use another name.",
                                  rr->name, other->content);
        }
    }
    return DNSAPI_OK;
}

static int rule_rrset_ttl(const rule_ctx_t *x, const dns_op_t *op, dns_problem_t *p)
{
    const dns_record_t *rr = &op->rec;
    const dns_record_t *const *at;
    size_t n = dns_view_at(x->v, rr->name, &at);
    for (size_t i = 0; i < n; i++) {
        if (at[i] != rr && type_is(at[i]->type, rr->type) && at[i]->ttl != rr->ttl) {
            p->expected_ttl = at[i]->ttl;
            return dnsapi_err_set(&p->err, DNSAPI_EINVAL, "ttl_mismatch", "ttl",
                                  "The other %s records at %s have TTL %u; all records of one "
                                  "name and type share a TTL: use ttl %u (or leave ttl out), or "
                                  "change them all together in a batch.",
                                  rr->type, rr->name, at[i]->ttl, at[i]->ttl);
        }
    }
    return DNSAPI_OK;
}

static int rule_ns_target(const rule_ctx_t *x, const dns_op_t *op, dns_problem_t *p)
{
    const dns_record_t *rr = &op->rec;
    const dns_record_t *cname =
        type_is(rr->type, "NS") && dns_name_is_at_or_below(rr->content, x->zone)
            ? type_at(x, rr->content, "CNAME")
            : NULL;
    if (cname != NULL) {
        return dnsapi_err_set(&p->err, DNSAPI_EINVAL, "ns_target_is_cname", "content",
                              "The name server %s is a CNAME (to %s); an NS record must name a "
                              "host with A/AAAA records: point it at the canonical name instead.",
                              rr->content, cname->content);
    }
    if (type_is(rr->type, "CNAME")) {
        const dns_record_t *const *at;
        size_t n = dns_view_ns_pointing(x->v, rr->name, &at);
        if (n > 0) {
            return dnsapi_err_set(&p->err, DNSAPI_EINVAL, "ns_target_is_cname", "type",
                                  "%s is the name server of the NS record at %s, so it cannot be "
                                  "a CNAME: give it A/AAAA records instead.",
                                  rr->name, at[0]->name);
        }
    }
    return DNSAPI_OK;
}

/* An enabled A/AAAA record at name after the change. */
static bool has_address(const rule_ctx_t *x, const char *name)
{
    const dns_record_t *const *at;
    size_t n = dns_view_at(x->v, name, &at);
    for (size_t i = 0; i < n; i++) {
        if ((type_is(at[i]->type, "A") || type_is(at[i]->type, "AAAA")) && !at[i]->disabled) {
            return true;
        }
    }
    return false;
}

/* A name server inside the zone needs its address in the zone (glue when
 * it lies below the delegation), or nobody can reach what it serves - and
 * name servers refuse the zone (kzonecheck: "missing glue record"). So an
 * NS record written with such a target needs an A/AAAA record there, and
 * the last A/AAAA record of a name an NS record points at cannot go. */
static int rule_ns_glue(const rule_ctx_t *x, const dns_op_t *op, dns_problem_t *p)
{
    const dns_record_t *rr = &op->rec;
    if (op->kind != DNS_OP_DELETE && type_is(rr->type, "NS") && !rr->disabled &&
        dns_name_is_at_or_below(rr->content, x->zone) && !has_address(x, rr->content)) {
        if (strcasecmp(rr->name, x->zone) == 0) {
            return dnsapi_err_set(&p->err, DNSAPI_EINVAL, "missing_glue", NULL,
                                  "The name server %s lies inside the zone %s but has no A/AAAA "
                                  "record there: give its address in \"glue\" in the same "
                                  "request, or resolvers cannot reach the zone.",
                                  rr->content, x->zone);
        }
        return dnsapi_err_set(&p->err, DNSAPI_EINVAL, "missing_glue", "content",
                              "The name server %s of %s lies inside the zone but has no A/AAAA "
                              "record: add its address (glue) in the same batch, or resolvers "
                              "cannot reach it and name servers such as Knot refuse the zone.",
                              rr->content, rr->name);
    }
    const dns_record_t *old = op->old;
    if (old == NULL || !(type_is(old->type, "A") || type_is(old->type, "AAAA")) ||
        has_address(x, old->name)) {
        return DNSAPI_OK;
    }
    const dns_record_t *const *ns;
    size_t n = dns_view_ns_pointing(x->v, old->name, &ns);
    for (size_t i = 0; i < n; i++) {
        if (!ns[i]->disabled) {
            return dnsapi_err_set(&p->err, DNSAPI_EINVAL, "missing_glue", NULL,
                                  "%s is the name server of the NS record at %s, so it must keep "
                                  "an A/AAAA record: point that NS record elsewhere first, or "
                                  "change both in one batch.",
                                  old->name, ns[i]->name);
        }
    }
    return DNSAPI_OK;
}

#define ON_WRITE (DNS_OP_POST | DNS_OP_PATCH)

static const rule_t rules[] = {
    {"system_record", DNS_OP_POST | DNS_OP_PATCH | DNS_OP_DELETE, rule_system},
    {"system_record", DNS_OP_POST, rule_managed_delegation},
    {"ttl_out_of_range", ON_WRITE, rule_ttl_range},
    {"bad_wildcard", ON_WRITE, rule_ns_wildcard},
    {"cname_at_apex", ON_WRITE, rule_cname_apex},
    {"ds_at_apex", ON_WRITE, rule_ds_apex},
    {"duplicate", ON_WRITE, rule_duplicate},
    {"cname_conflict", ON_WRITE, rule_cname_alone},
    {"dname_conflict", ON_WRITE, rule_dname},
    {"ttl_mismatch", ON_WRITE, rule_rrset_ttl},
    {"ns_target_is_cname", ON_WRITE, rule_ns_target},
    {"missing_glue", DNS_OP_POST | DNS_OP_PATCH | DNS_OP_DELETE, rule_ns_glue},
};

/* A name-server change leaves at least DNS_NAMESERVERS_MIN enabled NS
 * records at the apex. */
static int check_nameserver_count(const rule_ctx_t *x, dns_report_t *rep)
{
    const dns_record_t *const *at;
    size_t n = dns_view_at(x->v, x->zone, &at), ns = 0;
    for (size_t i = 0; i < n; i++) {
        ns += type_is(at[i]->type, "NS") && !at[i]->disabled;
    }
    if (ns >= DNS_NAMESERVERS_MIN) {
        return DNSAPI_OK;
    }
    dnsapi_err_t err;
    dnsapi_err_set(&err, DNSAPI_EINVAL, "too_few_nameservers", "nameservers",
                   "A zone needs at least %d name servers (%zu given): name two or more hosts, "
                   "ideally on different networks, so that the zone stays reachable when one "
                   "is down.",
                   DNS_NAMESERVERS_MIN, ns);
    return dns_report_error(rep, NULL, &err);
}

/* ---- warnings -------------------------------------------------------- */

static bool is_delegation(const rule_ctx_t *x, const dns_record_t *rr)
{
    return type_is(rr->type, "NS") && strcasecmp(rr->name, x->zone) != 0;
}

static void warn_single_ns(const rule_ctx_t *x, const dns_op_t *op, dns_report_t *rep)
{
    const dns_record_t *rr = &op->rec;
    if (!is_delegation(x, rr)) {
        return;
    }
    const dns_record_t *const *at;
    size_t n = dns_view_at(x->v, rr->name, &at), ns = 0;
    for (size_t i = 0; i < n; i++) {
        ns += type_is(at[i]->type, "NS");
    }
    if (ns == 1) {
        dns_report_warning(rep, "single_ns",
                           "%s is delegated to a single name server; add a second one for "
                           "redundancy.",
                           rr->name);
    }
}

static void warn_occluded(const rule_ctx_t *x, const dns_op_t *op, dns_report_t *rep)
{
    const dns_record_t *rr = &op->rec;
    if (type_is(rr->type, "A") || type_is(rr->type, "AAAA")) {
        return; /* glue */
    }
    const char *cut = dns_view_delegation_above(x->v, rr->name);
    if (cut != NULL) {
        dns_report_warning(rep, "occluded",
                           "%s lies below the delegation point %s, so this record is hidden by "
                           "the delegation and will not be served (only glue A/AAAA records "
                           "are).",
                           rr->name, cut);
    }
}

static const warning_fn warnings[] = {warn_single_ns, warn_occluded};

/* ---- the entry point ------------------------------------------------- */

int dns_rules_check_change(const dns_limits_t *lim, const dns_change_t *c, const dns_view_t *v,
                           dns_report_t *rep)
{
    rule_ctx_t x = {lim, c, v, c->zone};
    int first = DNSAPI_OK;
    for (size_t i = 0; i < c->n; i++) {
        const dns_op_t *op = &c->ops[i];
        if (op->kind != DNS_OP_POST && op->old == NULL) {
            continue; /* not found: reported by dns_view_bind */
        }
        if (op->noop) {
            continue;
        }
        for (size_t k = 0; k < sizeof(rules) / sizeof(rules[0]); k++) {
            if ((rules[k].ops & op->kind) == 0) {
                continue;
            }
            dns_problem_t p;
            memset(&p, 0, sizeof(p));
            p.expected_ttl = -1;
            if (rules[k].check(&x, op, &p) != DNSAPI_OK) {
                int rc = dns_report_problem(rep, op, &p);
                first = first != DNSAPI_OK ? first : rc;
                break;
            }
        }
    }
    if (c->nameservers) {
        int rc = check_nameserver_count(&x, rep);
        first = first != DNSAPI_OK ? first : rc;
    }
    if (first != DNSAPI_OK || dns_report_failed(rep)) {
        return first != DNSAPI_OK ? first : rep->errors[0].err.status;
    }
    for (size_t i = 0; i < c->n; i++) {
        const dns_op_t *op = &c->ops[i];
        if ((op->kind & ON_WRITE) == 0 || op->noop || op->rec.disabled) {
            continue;
        }
        for (size_t k = 0; k < sizeof(warnings) / sizeof(warnings[0]); k++) {
            warnings[k](&x, op, rep);
        }
        /* what reading the content warned of (target_not_hostname) */
        for (size_t k = 0; k < op->warnings.n; k++) {
            dns_report_warning(rep, op->warnings.v[k].code, "%s", op->warnings.v[k].message);
        }
    }
    return DNSAPI_OK;
}
