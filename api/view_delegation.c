/*
 * view_delegation.c - delegations and live-check verdicts as JSON.
 *
 * Objects are built with json_pack's "s:o" (which steals); a NULL from any
 * constructor makes json_pack fail and return NULL, so out of memory
 * anywhere gives NULL at the top without leaks.
 */
#include "api/view_delegation.h"

#include <string.h>
#include <strings.h>

static json_t *str_or_null(const char *s)
{
    return s != NULL && s[0] != '\0' ? json_string(s) : json_null();
}

static json_t *cstrs_array(const char *const *names, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a != NULL && i < n; i++) {
        if (json_array_append_new(a, json_string(names[i])) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

/* The names of an answer (at most DNS_ANSWER_MAX_ITEMS) as an array. */
static json_t *names_array(const char (*names)[DNS_NAME_BUFSIZE], size_t n)
{
    const char *ptrs[DNS_ANSWER_MAX_ITEMS];
    n = n < DNS_ANSWER_MAX_ITEMS ? n : DNS_ANSWER_MAX_ITEMS;
    for (size_t i = 0; i < n; i++) {
        ptrs[i] = names[i];
    }
    return cstrs_array(ptrs, n);
}

/* Appends item (stolen) to a; on failure frees a and returns NULL. */
static json_t *append(json_t *a, json_t *item)
{
    if (a == NULL || item == NULL || json_array_append_new(a, item) != 0) {
        json_decref(a);
        if (a == NULL) {
            json_decref(item);
        }
        return NULL;
    }
    return a;
}

/* ---- static analysis ---------------------------------------------- */

static const char *target_glue_state(const dns_deleg_target_t *t)
{
    if (t->where != DNS_NS_BELOW_CUT) {
        return "not_needed";
    }
    return t->n_addrs > 0 ? "present" : "missing";
}

static json_t *target_view(const dns_deleg_target_t *t)
{
    json_t *addrs = json_array();
    for (size_t i = 0; addrs != NULL && i < t->n_addrs; i++) {
        addrs = append(addrs, json_string(t->addrs[i]->content));
    }
    return json_pack("{s:s, s:I, s:s, s:s, s:o}", "target", t->ns->content, "ttl",
                     (json_int_t)t->ns->ttl, "location", dns_ns_where_name(t->where), "glue",
                     target_glue_state(t), "addresses", addrs);
}

static json_t *rr_view(const dns_zone_rr_t *rr)
{
    return json_pack("{s:s, s:s, s:s, s:I}", "name", rr->name, "type", rr->type, "content",
                     rr->content, "ttl", (json_int_t)rr->ttl);
}

static json_t *deleg_problems_view(const dns_deleg_problem_t *p, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a != NULL && i < n; i++) {
        a = append(a, json_pack("{s:s, s:s, s:s}", "code", p[i].code, "subject", p[i].subject,
                                "message", p[i].message));
    }
    return a;
}

json_t *view_delegation(const dns_delegation_t *d, size_t max_occluded)
{
    json_t *ns = json_array(), *glue = json_array(), *ds = json_array(), *occ = json_array();
    for (size_t i = 0; ns != NULL && i < d->n_targets; i++) {
        ns = append(ns, target_view(&d->targets[i]));
    }
    for (size_t i = 0; glue != NULL && i < d->n_glue; i++) {
        const dns_zone_rr_t *rr = d->glue[i].rr;
        glue = append(glue, json_pack("{s:s, s:s, s:s, s:I, s:s}", "name", rr->name, "type",
                                      rr->type, "address", rr->content, "ttl", (json_int_t)rr->ttl,
                                      "use", dns_glue_use_name(d->glue[i].use)));
    }
    for (size_t i = 0; ds != NULL && i < d->n_ds; i++) {
        ds = append(ds, json_string(d->ds[i]->content));
    }
    size_t n_occ = max_occluded > 0 && d->n_occluded > max_occluded ? max_occluded : d->n_occluded;
    for (size_t i = 0; occ != NULL && i < n_occ; i++) {
        occ = append(occ, rr_view(d->occluded[i]));
    }
    /* a delegation to a child zone of the account is kept by dnsapi */
    const char *managed_by = NULL;
    for (size_t i = 0; managed_by == NULL && i < d->n_targets; i++) {
        managed_by = d->targets[i].ns->managed_by;
    }
    return json_pack("{s:s, s:I, s:b, s:o, s:o, s:o, s:o, s:o, s:I, s:o}", "name", d->name, "ttl",
                     (json_int_t)d->ttl, "ok", d->n_problems == 0, "managed_by",
                     str_or_null(managed_by), "ns", ns, "glue", glue, "ds", ds, "occluded", occ,
                     "occluded_total", (json_int_t)d->n_occluded, "problems",
                     deleg_problems_view(d->problems, d->n_problems));
}

/* ---- live checks -------------------------------------------------- */

static json_t *live_problems_view(const dns_live_problem_t *p, size_t n, size_t more,
                                  const char *ns, const char *address, json_t *flat)
{
    json_t *a = json_array();
    for (size_t i = 0; a != NULL && i < n; i++) {
        a = append(a, json_pack("{s:s, s:s}", "code", p[i].code, "message", p[i].message));
        if (flat != NULL) {
            json_array_append_new(flat, json_pack("{s:s, s:o, s:o, s:s}", "code", p[i].code, "ns",
                                                  str_or_null(ns), "address", str_or_null(address),
                                                  "message", p[i].message));
        }
    }
    if (a != NULL && more > 0) {
        char msg[96];
        snprintf(msg, sizeof(msg), "%zu more problem%s not shown.", more, more == 1 ? "" : "s");
        a = append(a, json_pack("{s:s, s:s}", "code", "more_problems", "message", msg));
    }
    return a;
}

static json_t *server_view(const dns_live_server_result_t *r, json_t *flat)
{
    const dns_live_server_t *s = r->server;
    return json_pack(
        "{s:s, s:s, s:I, s:s, s:b, s:o, s:o, s:o}", "ns", s->ns, "address", s->address, "port",
        (json_int_t)s->port, "source", dns_addr_source_name(s->source), "authoritative",
        r->authoritative, "serial", r->has_serial ? json_integer(r->serial) : json_null(),
        "ns_served", r->ns_answered ? names_array(r->ns_served, r->n_ns_served) : json_null(),
        "problems",
        live_problems_view(r->problems, r->n_problems, r->more_problems, s->ns, s->address, flat));
}

/* servers and unreachable_targets into o; every problem also into flat. */
static int report_into(json_t *o, const dns_live_report_t *r, json_t *flat)
{
    json_t *servers = json_array(), *unreached = json_array();
    for (size_t i = 0; servers != NULL && i < r->n_servers; i++) {
        servers = append(servers, server_view(&r->servers[i], flat));
    }
    for (size_t i = 0; unreached != NULL && i < r->n_unreached; i++) {
        const dns_live_target_result_t *t = &r->unreached[i];
        unreached = append(
            unreached, json_pack("{s:s, s:o}", "ns", t->target->ns, "problems",
                                 live_problems_view(&t->problem, 1, 0, t->target->ns, NULL, flat)));
    }
    int rc = json_object_set_new(o, "servers", servers);
    return json_object_set_new(o, "unreachable_targets", unreached) | rc;
}

/* Adds the servers, the targets and the flat problem list (taking flat)
 * to o; NULL (and nothing leaked) when anything failed. */
static json_t *check_finish(json_t *o, const dns_live_report_t *r, json_t *flat)
{
    if (o == NULL || flat == NULL || report_into(o, r, flat) != 0) {
        json_decref(o);
        json_decref(flat);
        return NULL;
    }
    if (json_object_set_new(o, "problems", flat) != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *view_delegation_check(const dns_live_expect_t *e, const dns_live_report_t *r)
{
    json_t *flat = json_array();
    json_t *o = json_pack("{s:s, s:b, s:o}", "name", e->zone, "ok", r->ok, "ns",
                          cstrs_array(e->ns, e->n_ns));
    return check_finish(o, r, flat);
}

json_t *view_zone_check(const dns_live_expect_t *e, const dns_live_zone_report_t *r)
{
    json_t *flat = json_array();
    json_t *parents = json_array();
    for (size_t i = 0; flat != NULL && i < r->n_problems; i++) {
        json_array_append_new(flat, json_pack("{s:s, s:n, s:n, s:s}", "code", r->problems[i].code,
                                              "ns", "address", "message", r->problems[i].message));
    }
    for (size_t i = 0; parents != NULL && i < r->n_parents; i++) {
        const dns_live_parent_result_t *p = &r->parents[i];
        parents =
            append(parents,
                   json_pack("{s:s, s:s, s:b, s:o, s:o}", "ns", p->server->ns, "address",
                             p->server->address, "delegated", p->delegated, "ns_served",
                             p->delegated ? names_array(p->ns_served, p->n_ns_served) : json_null(),
                             "problems",
                             live_problems_view(p->problems, p->n_problems, p->more_problems,
                                                p->server->ns, p->server->address, flat)));
    }
    json_t *o = json_pack("{s:s, s:b, s:I, s:o, s:o, s:o}", "zone", e->zone, "ok", r->ok, "serial",
                          (json_int_t)e->serial, "ns", cstrs_array(e->ns, e->n_ns), "parent",
                          str_or_null(r->parent), "parent_servers", parents);
    return check_finish(o, &r->own, flat);
}
