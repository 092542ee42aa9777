/*
 * livecheck.c - the verdict on a delegation from the answers gathered.
 *
 * A server is judged in a fixed order: first whether its queries were
 * answered at all (timeout, unreachable, bad_reply), then whether it is
 * authoritative for the child (lame), and only for an authoritative server
 * what it serves: the apex NS set, the serial, the glued names. A lame
 * server's NS set or serial means nothing, so it gets no more problems.
 * Serials are compared last, across all servers, with RFC 1982 order.
 *
 * Longer than our usual 600 lines on purpose: the delegation's verdict and
 * the zone's own share the set, message and problem helpers, and a third of
 * the file is the messages themselves.
 */
#include "dns/livecheck.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- answers ------------------------------------------------------ */

void dns_answer_init(dns_answer_t *a, const char *qname, const char *qtype)
{
    memset(a, 0, sizeof(*a));
    snprintf(a->qname, sizeof(a->qname), "%s", qname);
    snprintf(a->qtype, sizeof(a->qtype), "%s", qtype);
    a->status = DNS_ANSWER_NOT_ASKED;
    snprintf(a->error, sizeof(a->error), "%s %s was not asked", qname, qtype);
}

void dns_answer_fail(dns_answer_t *a, dns_answer_status_t status, const char *fmt, ...)
{
    va_list ap;
    a->status = status;
    va_start(ap, fmt);
    vsnprintf(a->error, sizeof(a->error), fmt, ap);
    va_end(ap);
}

void dns_answer_add_item(dns_answer_t *a, const char *item)
{
    size_t at = 0;
    while (at < a->n_items && strcmp(a->items[at], item) < 0) {
        at++;
    }
    if (at < a->n_items && strcmp(a->items[at], item) == 0) {
        return;
    }
    if (a->n_items == DNS_ANSWER_MAX_ITEMS || strlen(item) >= DNS_NAME_BUFSIZE) {
        a->truncated = true;
        return;
    }
    memmove(a->items[at + 1], a->items[at], (a->n_items - at) * sizeof(a->items[0]));
    snprintf(a->items[at], sizeof(a->items[at]), "%s", item);
    a->n_items++;
}

static bool answer_noerror_aa(const dns_answer_t *a)
{
    return a->status == DNS_ANSWER_OK && a->rcode == 0 && a->aa;
}

void dns_address_canonical(const char *in, char *out, size_t outlen)
{
    unsigned char bin[16];
    if (inet_pton(AF_INET, in, bin) == 1) {
        inet_ntop(AF_INET, bin, out, (socklen_t)outlen);
    } else if (inet_pton(AF_INET6, in, bin) == 1) {
        inet_ntop(AF_INET6, bin, out, (socklen_t)outlen);
    } else {
        snprintf(out, outlen, "%s", in);
    }
}

/* ---- sets --------------------------------------------------------- */

static int cstr_compare(const void *pa, const void *pb)
{
    return strcmp(*(const char *const *)pa, *(const char *const *)pb);
}

/* names sorted and without repeats, in a malloc'd array (*out, free). */
static int set_sorted(const char *const *names, size_t n, const char ***out, size_t *n_out)
{
    const char **v = malloc((n > 0 ? n : 1) * sizeof(*v));
    if (v == NULL) {
        return DNSAPI_ENOMEM;
    }
    memcpy(v, names, n * sizeof(*v));
    qsort(v, n, sizeof(*v), cstr_compare);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (k == 0 || strcmp(v[k - 1], v[i]) != 0) {
            v[k++] = v[i];
        }
    }
    *out = v;
    *n_out = k;
    return DNSAPI_OK;
}

/* True when a sorted unique set of names equals the answer's items. */
static bool set_equals_items(const char *const *set, size_t n, const dns_answer_t *a)
{
    if (n != a->n_items || a->truncated) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (strcasecmp(set[i], a->items[i]) != 0) {
            return false;
        }
    }
    return true;
}

/* "{a, b}" into buf, cut with "..." when it does not fit. */
static const char *set_format(char *buf, size_t len, const char *const *set, size_t n)
{
    size_t used = (size_t)snprintf(buf, len, "{");
    for (size_t i = 0; i < n && used < len; i++) {
        used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "", set[i]);
    }
    if (used + 2 > len) {
        snprintf(buf + (len > 5 ? len - 5 : 0), len > 5 ? 5 : len, "...}");
    } else {
        snprintf(buf + used, len - used, "}");
    }
    return buf;
}

static const char *items_format(char *buf, size_t len, const dns_answer_t *a)
{
    const char *ptrs[DNS_ANSWER_MAX_ITEMS];
    for (size_t i = 0; i < a->n_items; i++) {
        ptrs[i] = a->items[i];
    }
    return set_format(buf, len, ptrs, a->n_items);
}

/* ---- problems ----------------------------------------------------- */

__attribute__((format(printf, 3, 0))) static void
problem_set(dns_live_problem_t *p, const char *code, const char *fmt, va_list ap)
{
    snprintf(p->code, sizeof(p->code), "%s", code);
    vsnprintf(p->message, sizeof(p->message), fmt, ap);
}

typedef struct {
    dns_live_problem_t *v;
    size_t *n;
    size_t *more;
} problems_t;

static bool problems_has(const problems_t *ps, const char *code)
{
    for (size_t i = 0; i < *ps->n; i++) {
        if (strcmp(ps->v[i].code, code) == 0) {
            return true;
        }
    }
    return false;
}

static void problem_add(problems_t *ps, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void problem_add(problems_t *ps, const char *code, const char *fmt, ...)
{
    if (*ps->n == DNS_LIVE_MAX_PROBLEMS) {
        (*ps->more)++;
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    problem_set(&ps->v[(*ps->n)++], code, fmt, ap);
    va_end(ap);
}

/* timeout, unreachable or bad_reply for a failed query, once per code. */
static void failure_add(problems_t *ps, const char *who, const dns_answer_t *a)
{
    const char *code = NULL;
    switch (a->status) {
    case DNS_ANSWER_OK:
    case DNS_ANSWER_NOT_ASKED:
        return;
    case DNS_ANSWER_TIMEOUT:
    case DNS_ANSWER_DEADLINE:
        code = "timeout";
        break;
    case DNS_ANSWER_UNREACHABLE:
        code = "unreachable";
        break;
    case DNS_ANSWER_GARBAGE:
        code = "bad_reply";
        break;
    }
    if (code == NULL || problems_has(ps, code)) {
        return;
    }
    problem_add(ps, code, "%s did not answer %s %s: %s.", who, a->qname, a->qtype, a->error);
}

static const char *rcode_name(int rcode)
{
    static const char *const names[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
                                        "NOTIMP",  "REFUSED", "YXDOMAIN", "YXRRSET",
                                        "NXRRSET", "NOTAUTH", "NOTZONE"};
    return rcode >= 0 && rcode < (int)(sizeof(names) / sizeof(*names)) ? names[rcode]
                                                                       : "an unknown RCODE";
}

/* lame, with the reason the SOA answer shows. */
static void lame_add(problems_t *ps, const char *who, const char *zone, const dns_answer_t *a)
{
    if (a->rcode == 5 || a->rcode == 9) {
        problem_add(ps, "lame",
                    "%s answers %s for %s: it does not serve the zone. Add the zone to that "
                    "server, or take it out of the NS set.",
                    who, rcode_name(a->rcode), zone);
    } else if (a->rcode == 2) {
        problem_add(ps, "lame",
                    "%s answers SERVFAIL for %s: the zone is configured there but does not "
                    "load. Check the server's log.",
                    who, zone);
    } else if (a->rcode != 0 && a->rcode != 3) {
        problem_add(ps, "lame",
                    "%s answers %s for the SOA of %s: it does not serve the zone. Add the "
                    "zone to that server, or take it out of the NS set.",
                    who, rcode_name(a->rcode), zone);
    } else if (!a->aa) {
        problem_add(ps, "lame",
                    "%s answers for %s without authority (%s): it does not serve the zone "
                    "itself. Add the zone to that server, or take it out of the NS set.",
                    who, zone, a->referral ? "a referral" : "no AA flag");
    } else if (a->rcode == 3) {
        problem_add(ps, "lame",
                    "%s answers authoritatively that %s does not exist: it serves a zone "
                    "above it (%s), not %s itself. Add the zone to that server, or take it "
                    "out of the NS set.",
                    who, zone, a->soa_owner[0] ? a->soa_owner : "unknown", zone);
    } else {
        problem_add(ps, "lame",
                    "%s answers authoritatively but without the SOA of %s: it serves another "
                    "zone (%s). Add the zone to that server, or take it out of the NS set.",
                    who, zone, a->soa_owner[0] ? a->soa_owner : "unknown");
    }
}

/* ---- one server --------------------------------------------------- */

size_t dns_live_glue_names(const dns_live_expect_t *expect, const char **names, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < expect->n_glue; i++) {
        bool seen = false;
        for (size_t j = 0; j < n; j++) {
            seen = seen || strcasecmp(names[j], expect->glue[i].name) == 0;
        }
        if (!seen && n < max) {
            names[n++] = expect->glue[i].name;
        }
    }
    return n;
}

/* The glue addresses of name for one family, sorted: into set (malloc'd
 * by set_sorted). */
static int glue_family(const dns_live_expect_t *e, const char *name, bool v6,
                       char (*text)[DNS_ADDR_BUFSIZE], size_t max, const char ***set, size_t *n)
{
    const char *tmp[64];
    size_t k = 0;
    for (size_t i = 0; i < e->n_glue && k < max && k < 64; i++) {
        if (e->glue[i].v6 == v6 && strcasecmp(e->glue[i].name, name) == 0) {
            dns_address_canonical(e->glue[i].address, text[k], sizeof(text[k]));
            tmp[k] = text[k];
            k++;
        }
    }
    return set_sorted(tmp, k, set, n);
}

static int glue_judge(const dns_live_expect_t *e, const dns_live_server_t *s, const char *who,
                      problems_t *ps)
{
    const char *names[64];
    size_t n = dns_live_glue_names(e, names, 64);
    for (size_t i = 0; i < n && 2 * i + 1 < s->n_glue_answers; i++) {
        for (int fam = 0; fam < 2; fam++) {
            const dns_answer_t *a = &s->glue_answers[2 * i + (size_t)fam];
            const char **set = NULL;
            size_t n_set = 0;
            char text[64][DNS_ADDR_BUFSIZE];
            if (glue_family(e, names[i], fam == 1, text, 64, &set, &n_set) != DNSAPI_OK) {
                return DNSAPI_ENOMEM;
            }
            bool judged = a->status == DNS_ANSWER_OK && a->aa && (a->rcode == 0 || a->rcode == 3);
            if (n_set > 0 && judged && !set_equals_items(set, n_set, a)) {
                char want[200], got[200];
                problem_add(ps, "glue_mismatch",
                            "The glue for %s is %s %s, but %s serves %s for that name: update "
                            "the glue in the parent zone (or the record in the child zone) "
                            "so that both agree.",
                            names[i], fam ? "AAAA" : "A",
                            set_format(want, sizeof(want), set, n_set), who,
                            a->n_items ? items_format(got, sizeof(got), a)
                                       : (fam ? "no AAAA record" : "no A record"));
            }
            free(set);
        }
    }
    return DNSAPI_OK;
}

static int server_judge(const dns_live_expect_t *e, const char *const *ns_set, size_t n_ns_set,
                        const dns_live_server_t *s, dns_live_server_result_t *r)
{
    char who[DNS_NAME_BUFSIZE + DNS_ADDR_BUFSIZE + 16];
    problems_t ps = {r->problems, &r->n_problems, &r->more_problems};
    memset(r, 0, sizeof(*r));
    r->server = s;
    snprintf(who, sizeof(who), "%s (%s)", s->ns, s->address);

    failure_add(&ps, who, &s->soa);
    failure_add(&ps, who, &s->ns_set);
    for (size_t i = 0; i < s->n_glue_answers; i++) {
        failure_add(&ps, who, &s->glue_answers[i]);
    }
    if (s->soa.status == DNS_ANSWER_OK) {
        if (!answer_noerror_aa(&s->soa) || !s->soa.has_soa) {
            lame_add(&ps, who, e->zone, &s->soa);
            return DNSAPI_OK;
        }
        r->authoritative = true;
        r->has_serial = true;
        r->serial = s->soa.serial;
    }
    if (s->ns_set.status == DNS_ANSWER_OK) {
        if (answer_noerror_aa(&s->ns_set) && !s->ns_set.referral) {
            r->ns_answered = true;
            r->ns_served = s->ns_set.items;
            r->n_ns_served = s->ns_set.n_items;
            if (!set_equals_items(ns_set, n_ns_set, &s->ns_set)) {
                char want[300], got[300];
                problem_add(&ps, "ns_mismatch",
                            "%s serves the NS set %s for %s, but the delegation lists %s: make "
                            "them the same (change the delegation, or the child zone's apex NS "
                            "records).",
                            who, items_format(got, sizeof(got), &s->ns_set), e->zone,
                            set_format(want, sizeof(want), ns_set, n_ns_set));
            }
        } else if (!problems_has(&ps, "lame")) {
            lame_add(&ps, who, e->zone, &s->ns_set);
            return DNSAPI_OK;
        }
    }
    return r->authoritative ? glue_judge(e, s, who, &ps) : DNSAPI_OK;
}

/* serial_drift for every authoritative server behind the reference: the
 * expected serial, or else the newest one served. */
static void serials_judge(const dns_live_expect_t *e, dns_live_report_t *out)
{
    const dns_live_server_result_t *newest = NULL;
    for (size_t i = 0; i < out->n_servers; i++) {
        const dns_live_server_result_t *r = &out->servers[i];
        if (r->has_serial &&
            (newest == NULL || dns_serial_compare(r->serial, newest->serial) > 0)) {
            newest = r;
        }
    }
    for (size_t i = 0; i < out->n_servers; i++) {
        dns_live_server_result_t *r = &out->servers[i];
        problems_t ps = {r->problems, &r->n_problems, &r->more_problems};
        if (!r->has_serial) {
            continue;
        }
        if (e->has_serial && r->serial != e->serial) {
            problem_add(&ps, "serial_drift",
                        "%s (%s) serves serial %u of %s, but the zone's current serial is %u: "
                        "it has not loaded the latest change (check its transfers from the "
                        "primary, NOTIFY and its log).",
                        r->server->ns, r->server->address, r->serial, e->zone, e->serial);
        } else if (!e->has_serial && newest != NULL && r->serial != newest->serial) {
            problem_add(&ps, "serial_drift",
                        "%s (%s) serves serial %u of %s, but %s (%s) serves %u: it has not "
                        "picked up the latest change (check its transfers from the primary, "
                        "NOTIFY and its log).",
                        r->server->ns, r->server->address, r->serial, e->zone, newest->server->ns,
                        newest->server->address, newest->serial);
        }
    }
}

/* ---- targets without an address ----------------------------------- */

static bool resolver_failed(const dns_answer_t *a)
{
    return a->status != DNS_ANSWER_OK || a->rcode == 2 || a->rcode == 5;
}

static void unreached_judge(const dns_live_expect_t *e, const dns_live_unreached_t *t,
                            dns_live_problem_t *p)
{
    size_t n = 0, more = 0;
    problems_t ps = {p, &n, &more};
    switch (t->where) {
    case DNS_NS_BELOW_CUT:
        problem_add(&ps, "no_address",
                    "%s lies inside %s and has no glue, so no resolver can find its address: "
                    "add A/AAAA glue records for it.",
                    t->ns, e->zone);
        return;
    case DNS_NS_IN_ZONE:
        problem_add(&ps, "no_address",
                    "%s lies in the parent zone but has no A/AAAA records there: add them.", t->ns);
        return;
    case DNS_NS_ADDRESS:
        problem_add(&ps, "no_address",
                    "%s is an IP address, not a host name, so it cannot be looked up: use the "
                    "server's host name in the NS record.",
                    t->ns);
        return;
    case DNS_NS_SIBLING:
    case DNS_NS_OUT_OF_ZONE:
        break;
    }
    if (!t->have_resolver) {
        problem_add(&ps, "no_resolver",
                    "%s lies outside this zone's data and no resolver is configured to find "
                    "its address: set DNSAPI_RESOLVER to a recursive resolver's address "
                    "(addr[:port]).",
                    t->ns);
    } else if (resolver_failed(&t->a) && resolver_failed(&t->aaaa)) {
        const dns_answer_t *a = t->a.status != DNS_ANSWER_OK ? &t->a : &t->aaaa;
        problem_add(&ps, "resolver_error", "The resolver could not look up %s: %s.", t->ns,
                    a->status == DNS_ANSWER_OK ? rcode_name(a->rcode) : a->error);
    } else {
        problem_add(&ps, "no_address",
                    "The resolver finds no A or AAAA record for %s (%s): fix the name in the "
                    "NS record, or give the host an address.",
                    t->ns,
                    t->a.status == DNS_ANSWER_OK && t->a.rcode == 3 ? "NXDOMAIN" : "no data");
    }
}

size_t dns_live_resolved_addresses(const dns_live_unreached_t *t, char (*out)[DNS_ADDR_BUFSIZE],
                                   size_t max)
{
    size_t n = 0;
    const dns_answer_t *answers[2] = {&t->a, &t->aaaa};
    for (size_t k = 0; k < 2; k++) {
        const dns_answer_t *a = answers[k];
        if (a->status != DNS_ANSWER_OK || a->rcode != 0) {
            continue;
        }
        for (size_t i = 0; i < a->n_items && n < max; i++) {
            snprintf(out[n++], DNS_ADDR_BUFSIZE, "%s", a->items[i]);
        }
    }
    return n;
}

/* ---- the delegation ----------------------------------------------- */

int dns_live_check(const dns_live_expect_t *expect, const dns_live_server_t *servers,
                   size_t n_servers, const dns_live_unreached_t *unreached, size_t n_unreached,
                   dns_live_report_t *out, dnsapi_err_t *err)
{
    const char **ns_set = NULL;
    size_t n_ns_set = 0;
    memset(out, 0, sizeof(*out));
    out->servers = calloc(n_servers > 0 ? n_servers : 1, sizeof(*out->servers));
    out->unreached = calloc(n_unreached > 0 ? n_unreached : 1, sizeof(*out->unreached));
    if (out->servers == NULL || out->unreached == NULL ||
        set_sorted(expect->ns, expect->n_ns, &ns_set, &n_ns_set) != DNSAPI_OK) {
        goto nomem;
    }
    for (size_t i = 0; i < n_servers; i++) {
        if (server_judge(expect, ns_set, n_ns_set, &servers[i], &out->servers[i]) != DNSAPI_OK) {
            goto nomem;
        }
        out->n_servers++;
    }
    serials_judge(expect, out);
    for (size_t i = 0; i < n_unreached; i++) {
        out->unreached[i].target = &unreached[i];
        unreached_judge(expect, &unreached[i], &out->unreached[i].problem);
    }
    out->n_unreached = n_unreached;
    out->ok = n_unreached == 0;
    for (size_t i = 0; i < out->n_servers; i++) {
        out->ok = out->ok && out->servers[i].n_problems == 0;
    }
    free(ns_set);
    return DNSAPI_OK;

nomem:
    free(ns_set);
    dns_live_report_clear(out);
    return dnsapi_err_set(err, DNSAPI_ENOMEM, "internal", NULL, "Out of memory in the check.");
}

void dns_live_report_clear(dns_live_report_t *r)
{
    free(r->servers);
    free(r->unreached);
    memset(r, 0, sizeof(*r));
}

/* ---- the zone's own delegation ------------------------------------ */

const char *dns_live_parent_probe_name(const char *zone)
{
    const char *dot = strchr(zone, '.');
    return dot != NULL && dot[1] != '\0' ? dot + 1 : ".";
}

bool dns_live_parent_from_answer(const char *zone, const dns_answer_t *soa, char *out,
                                 size_t outlen)
{
    if (soa->status != DNS_ANSWER_OK || soa->soa_owner[0] == '\0' ||
        (soa->rcode != 0 && soa->rcode != 3) || strcasecmp(soa->soa_owner, zone) == 0 ||
        !dns_name_is_at_or_below(zone, soa->soa_owner)) {
        return false;
    }
    snprintf(out, outlen, "%s", soa->soa_owner);
    return true;
}

static void parent_judge(const dns_live_expect_t *own, const char *parent,
                         const char *const *ns_set, size_t n_ns_set,
                         const dns_live_parent_server_t *s, dns_live_parent_result_t *r)
{
    char who[DNS_NAME_BUFSIZE + DNS_ADDR_BUFSIZE + 16];
    problems_t ps = {r->problems, &r->n_problems, &r->more_problems};
    const dns_answer_t *a = &s->referral;
    memset(r, 0, sizeof(*r));
    r->server = s;
    snprintf(who, sizeof(who), "%s (%s)", s->ns, s->address);
    failure_add(&ps, who, a);
    if (a->status != DNS_ANSWER_OK) {
        return;
    }
    if (a->rcode != 0 && a->rcode != 3) {
        lame_add(&ps, who, parent, a);
        return;
    }
    if (a->rcode == 3 || a->n_items == 0) {
        problem_add(&ps, "not_delegated",
                    "The parent zone's server %s has no delegation for %s (%s): ask the "
                    "registrar (or the parent zone's operator) to add NS records %s.",
                    who, own->zone, a->rcode == 3 ? "NXDOMAIN" : "no NS records",
                    own->n_ns > 0 ? own->ns[0] : "");
        return;
    }
    r->delegated = true;
    r->ns_served = a->items;
    r->n_ns_served = a->n_items;
    if (!set_equals_items(ns_set, n_ns_set, a)) {
        char want[300], got[300];
        problem_add(&ps, "parent_ns_mismatch",
                    "The parent %s (server %s) delegates %s to %s, but the zone's apex NS set "
                    "is %s: update the delegation at the registrar (or in the parent zone) to "
                    "the apex NS set.",
                    parent, who, own->zone, items_format(got, sizeof(got), a),
                    set_format(want, sizeof(want), ns_set, n_ns_set));
    }
}

/* parent_not_found or no_resolver, when the parent could not be asked. */
static bool parent_find(const dns_live_expect_t *own, const dns_live_parent_t *parent,
                        dns_live_zone_report_t *out, problems_t *ps)
{
    if (!parent->have_resolver) {
        problem_add(ps, "no_resolver",
                    "Checking the delegation of %s from its parent needs a recursive resolver "
                    "to find the parent zone: set DNSAPI_RESOLVER to its address "
                    "(addr[:port]).",
                    own->zone);
        return false;
    }
    const dns_answer_t *probe = parent->parent_probe;
    if (probe == NULL ||
        !dns_live_parent_from_answer(own->zone, probe, out->parent, sizeof(out->parent))) {
        problem_add(ps, "parent_not_found",
                    "The resolver does not show the zone above %s (%s): check that the "
                    "resolver reaches the public DNS.",
                    own->zone,
                    probe == NULL                    ? "not asked"
                    : probe->status != DNS_ANSWER_OK ? probe->error
                                                     : "no SOA in its answer");
        return false;
    }
    const dns_answer_t *pns = parent->parent_ns;
    if (pns == NULL || pns->status != DNS_ANSWER_OK || pns->rcode != 0 || pns->n_items == 0) {
        problem_add(ps, "parent_not_found",
                    "The resolver finds no name servers for the parent zone %s of %s (%s).",
                    out->parent, own->zone,
                    pns == NULL                    ? "not asked"
                    : pns->status != DNS_ANSWER_OK ? pns->error
                                                   : rcode_name(pns->rcode));
        return false;
    }
    return true;
}

int dns_live_check_zone(const dns_live_expect_t *own, const dns_live_parent_t *parent,
                        const dns_live_server_t *servers, size_t n_servers,
                        const dns_live_unreached_t *unreached, size_t n_unreached,
                        dns_live_zone_report_t *out, dnsapi_err_t *err)
{
    size_t more = 0;
    const char **ns_set = NULL;
    size_t n_ns_set = 0;
    memset(out, 0, sizeof(*out));
    problems_t ps = {out->problems, &out->n_problems, &more};
    if (parent_find(own, parent, out, &ps)) {
        out->parents = calloc(parent->n_servers > 0 ? parent->n_servers : 1, sizeof(*out->parents));
        if (out->parents == NULL ||
            set_sorted(own->ns, own->n_ns, &ns_set, &n_ns_set) != DNSAPI_OK) {
            goto nomem;
        }
        for (size_t i = 0; i < parent->n_servers; i++) {
            parent_judge(own, out->parent, ns_set, n_ns_set, &parent->servers[i], &out->parents[i]);
        }
        out->n_parents = parent->n_servers;
        free(ns_set);
        ns_set = NULL;
    }
    int rc = dns_live_check(own, servers, n_servers, unreached, n_unreached, &out->own, err);
    if (rc != DNSAPI_OK) {
        dns_live_zone_report_clear(out);
        return rc;
    }
    out->ok = out->n_problems == 0 && out->own.ok;
    for (size_t i = 0; i < out->n_parents; i++) {
        out->ok = out->ok && out->parents[i].n_problems == 0;
    }
    return DNSAPI_OK;

nomem:
    free(ns_set);
    dns_live_zone_report_clear(out);
    return dnsapi_err_set(err, DNSAPI_ENOMEM, "internal", NULL, "Out of memory in the check.");
}

void dns_live_zone_report_clear(dns_live_zone_report_t *r)
{
    free(r->parents);
    dns_live_report_clear(&r->own);
    memset(r, 0, sizeof(*r));
}

const char *dns_addr_source_name(dns_addr_source_t source)
{
    switch (source) {
    case DNS_ADDR_GLUE:
        return "glue";
    case DNS_ADDR_ZONE:
        return "zone";
    case DNS_ADDR_RESOLVER:
        return "resolver";
    }
    return "unknown";
}

const char *dns_answer_status_name(dns_answer_status_t status)
{
    switch (status) {
    case DNS_ANSWER_OK:
        return "ok";
    case DNS_ANSWER_TIMEOUT:
        return "timeout";
    case DNS_ANSWER_UNREACHABLE:
        return "unreachable";
    case DNS_ANSWER_GARBAGE:
        return "garbage";
    case DNS_ANSWER_DEADLINE:
        return "deadline";
    case DNS_ANSWER_NOT_ASKED:
        return "not_asked";
    }
    return "unknown";
}
