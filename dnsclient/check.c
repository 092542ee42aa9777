/*
 * check.c - the rounds of a live check (see check.h), on the loop.
 *
 * Every query writes its answer into a slot the check owns (an answer of a
 * target, a server or the parent), so the rounds only decide what to ask
 * next from what is in the slots; the verdict is the pure function of
 * dns/livecheck.c over them. Slots are allocated before the round that
 * fills them and never move while queries are out.
 */
#include "dnsclient/check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CHECK_MAX_TARGETS 32
#define CHECK_MAX_ADDRS 8
#define CHECK_MAX_GLUE_NAMES 16

typedef struct {
    char name[DNS_NAME_BUFSIZE];
    dns_ns_where_t where;
    dns_addr_source_t source;
    size_t n_addrs;
    char addrs[CHECK_MAX_ADDRS][DNS_ADDR_BUFSIZE];
    bool resolve;                /* ask the resolver for its addresses */
    dns_live_unreached_t lookup; /* the resolver's answers */
} target_t;

typedef enum { KIND_DELEGATION, KIND_ZONE } check_kind_t;

struct dns_check {
    check_kind_t kind;
    dns_client_group_t *group;
    int round;
    bool reported;
    dns_check_done_cb done;
    void *data;
    bool have_resolver;
    dnsapi_hostport_t resolver;
    uint16_t ns_port;
    char zone[DNS_NAME_BUFSIZE];
    uint32_t serial;

    /* the delegation (or the apex) and what it expects */
    target_t *targets;
    size_t n_targets;
    const char **ns_names;
    dns_live_glue_t *glue;
    size_t n_glue;
    char (*glue_names)[DNS_NAME_BUFSIZE];
    char (*glue_addrs)[DNS_ADDR_BUFSIZE];
    dns_live_expect_t expect;

    /* the servers asked, and the targets that could not be */
    dns_live_server_t *servers;
    size_t n_servers;
    dns_answer_t *glue_answers;
    dns_live_unreached_t *unreached;
    size_t n_unreached;
    dns_live_report_t report;

    /* the zone's parent */
    dns_answer_t parent_probe, parent_ns;
    char parent[DNS_NAME_BUFSIZE];
    target_t *parent_targets;
    size_t n_parent_targets;
    dns_live_parent_server_t *parent_servers;
    size_t n_parent_servers;
    dns_live_zone_report_t zone_report;
};

/* ---- asking ------------------------------------------------------- */

static void on_answer(const dns_answer_t *answer, void *data)
{
    dns_answer_t *slot = data;
    *slot = *answer;
}

/* Asks address:port for qname/qtype into slot; a query that cannot even be
 * sent is written into the slot as unreachable. Returns 1 when a query is
 * out, else 0. */
static size_t ask(dns_check_t *k, const char *address, uint16_t port, const char *qname,
                  const char *qtype, bool rd, dns_answer_t *slot)
{
    dnsapi_hostport_t server;
    dnsapi_err_t err;
    dns_answer_init(slot, qname, qtype);
    snprintf(server.host, sizeof(server.host), "%s", address);
    server.port = port;
    if (dns_client_query(k->group, &server, qname, qtype, rd, on_answer, slot, &err) != DNSAPI_OK) {
        dns_answer_fail(slot, DNS_ANSWER_UNREACHABLE, "%s", err.message);
        return 0;
    }
    return 1;
}

static size_t ask_resolver(dns_check_t *k, const char *qname, const char *qtype, dns_answer_t *slot)
{
    return ask(k, k->resolver.host, k->resolver.port, qname, qtype, true, slot);
}

/* Round: the resolver for the addresses of targets[0..n). */
static size_t resolve_targets(dns_check_t *k, target_t *targets, size_t n)
{
    size_t out = 0;
    for (size_t i = 0; i < n; i++) {
        target_t *t = &targets[i];
        dns_answer_init(&t->lookup.a, t->name, "A");
        dns_answer_init(&t->lookup.aaaa, t->name, "AAAA");
        t->lookup.ns = t->name;
        t->lookup.where = t->where;
        t->lookup.have_resolver = k->have_resolver;
        if (t->resolve && k->have_resolver) {
            out += ask_resolver(k, t->name, "A", &t->lookup.a);
            out += ask_resolver(k, t->name, "AAAA", &t->lookup.aaaa);
        }
    }
    return out;
}

/* After the resolver round: the addresses found, and the targets left
 * without any in k->unreached. */
static void targets_settle(dns_check_t *k)
{
    for (size_t i = 0; i < k->n_targets; i++) {
        target_t *t = &k->targets[i];
        if (t->resolve && k->have_resolver) {
            t->n_addrs = dns_live_resolved_addresses(&t->lookup, t->addrs, CHECK_MAX_ADDRS);
            t->source = DNS_ADDR_RESOLVER;
        }
        if (t->n_addrs == 0) {
            k->unreached[k->n_unreached++] = t->lookup;
        }
    }
}

/* Round: every address of every target, for the SOA and NS of the zone and
 * the addresses of each glued name. */
static size_t ask_servers(dns_check_t *k)
{
    const char *names[CHECK_MAX_GLUE_NAMES];
    size_t n_names = dns_live_glue_names(&k->expect, names, CHECK_MAX_GLUE_NAMES);
    size_t n = 0, out = 0;
    for (size_t i = 0; i < k->n_targets; i++) {
        n += k->targets[i].n_addrs;
    }
    k->servers = calloc(n > 0 ? n : 1, sizeof(*k->servers));
    k->glue_answers = calloc(n * 2 * n_names + 1, sizeof(*k->glue_answers));
    if (k->servers == NULL || k->glue_answers == NULL) {
        return 0;
    }
    for (size_t i = 0; i < k->n_targets; i++) {
        const target_t *t = &k->targets[i];
        for (size_t j = 0; j < t->n_addrs; j++) {
            dns_live_server_t *s = &k->servers[k->n_servers];
            s->ns = t->name;
            snprintf(s->address, sizeof(s->address), "%s", t->addrs[j]);
            s->port = k->ns_port;
            s->source = t->source;
            s->glue_answers = k->glue_answers + k->n_servers * 2 * n_names;
            s->n_glue_answers = 2 * n_names;
            out += ask(k, s->address, s->port, k->zone, "SOA", false, &s->soa);
            out += ask(k, s->address, s->port, k->zone, "NS", false, &s->ns_set);
            for (size_t g = 0; g < n_names; g++) {
                out += ask(k, s->address, s->port, names[g], "A", false, &s->glue_answers[2 * g]);
                out += ask(k, s->address, s->port, names[g], "AAAA", false,
                           &s->glue_answers[2 * g + 1]);
            }
            k->n_servers++;
        }
    }
    return out;
}

/* ---- the zone's parent -------------------------------------------- */

/* Round: the parent's name servers from the resolver's NS answer, with the
 * addresses it carried; the resolver for the others. */
static size_t parent_targets_resolve(dns_check_t *k)
{
    const dns_answer_t *pns = &k->parent_ns;
    size_t n = pns->status == DNS_ANSWER_OK && pns->rcode == 0 ? pns->n_items : 0;
    k->parent_targets = calloc(n > 0 ? n : 1, sizeof(*k->parent_targets));
    if (k->parent_targets == NULL) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        target_t *t = &k->parent_targets[i];
        snprintf(t->name, sizeof(t->name), "%s", pns->items[i]);
        t->where = DNS_NS_OUT_OF_ZONE;
        t->source = DNS_ADDR_RESOLVER;
        for (size_t g = 0; g < pns->n_glue && t->n_addrs < CHECK_MAX_ADDRS; g++) {
            if (strcasecmp(pns->glue[g].name, t->name) == 0) {
                snprintf(t->addrs[t->n_addrs++], DNS_ADDR_BUFSIZE, "%s", pns->glue[g].address);
            }
        }
        t->resolve = t->n_addrs == 0;
    }
    k->n_parent_targets = n;
    return resolve_targets(k, k->parent_targets, n);
}

/* Round: each address of each parent server, for its referral. */
static size_t ask_parent_servers(dns_check_t *k)
{
    size_t n = 0, out = 0;
    for (size_t i = 0; i < k->n_parent_targets; i++) {
        target_t *t = &k->parent_targets[i];
        if (t->resolve) {
            t->n_addrs = dns_live_resolved_addresses(&t->lookup, t->addrs, CHECK_MAX_ADDRS);
        }
        n += t->n_addrs;
    }
    k->parent_servers = calloc(n > 0 ? n : 1, sizeof(*k->parent_servers));
    if (k->parent_servers == NULL) {
        return 0;
    }
    for (size_t i = 0; i < k->n_parent_targets; i++) {
        const target_t *t = &k->parent_targets[i];
        for (size_t j = 0; j < t->n_addrs; j++) {
            dns_live_parent_server_t *s = &k->parent_servers[k->n_parent_servers++];
            s->ns = t->name;
            snprintf(s->address, sizeof(s->address), "%s", t->addrs[j]);
            s->port = k->ns_port;
            out += ask(k, s->address, s->port, k->zone, "NS", false, &s->referral);
        }
    }
    return out;
}

/* ---- rounds ------------------------------------------------------- */

static void report(dns_check_t *k)
{
    dnsapi_err_t err;
    if (k->kind == KIND_DELEGATION) {
        dns_live_check(&k->expect, k->servers, k->n_servers, k->unreached, k->n_unreached,
                       &k->report, &err);
    } else {
        dns_live_parent_t parent = {k->have_resolver, &k->parent_probe, &k->parent_ns,
                                    k->parent_servers, k->n_parent_servers};
        dns_live_check_zone(&k->expect, &parent, k->servers, k->n_servers, k->unreached,
                            k->n_unreached, &k->zone_report, &err);
    }
    k->reported = true;
}

/* Submits round k->round; returns how many queries are out. */
static size_t round_run(dns_check_t *k)
{
    if (k->kind == KIND_DELEGATION) {
        switch (k->round) {
        case 1:
            return resolve_targets(k, k->targets, k->n_targets);
        case 2:
            targets_settle(k);
            return ask_servers(k);
        default:
            return 0;
        }
    }
    switch (k->round) {
    case 1:
        dns_answer_init(&k->parent_probe, dns_live_parent_probe_name(k->zone), "SOA");
        dns_answer_init(&k->parent_ns, ".", "NS");
        return (k->have_resolver
                    ? ask_resolver(k, dns_live_parent_probe_name(k->zone), "SOA", &k->parent_probe)
                    : 0) +
               resolve_targets(k, k->targets, k->n_targets);
    case 2: {
        targets_settle(k);
        size_t out = ask_servers(k);
        if (dns_live_parent_from_answer(k->zone, &k->parent_probe, k->parent, sizeof(k->parent))) {
            out += ask_resolver(k, k->parent, "NS", &k->parent_ns);
        }
        return out;
    }
    case 3:
        return parent_targets_resolve(k);
    case 4:
        return ask_parent_servers(k);
    default:
        return 0;
    }
}

#define CHECK_LAST_ROUND 4

static void on_idle(dns_client_group_t *g, void *data)
{
    dns_check_t *k = data;
    while (!k->reported) {
        k->round++;
        if (k->round <= CHECK_LAST_ROUND && round_run(k) > 0) {
            return;
        }
        if (k->round >= CHECK_LAST_ROUND) {
            report(k);
            k->done(k, k->data); /* may free k */
            return;
        }
    }
}

/* ---- starting ----------------------------------------------------- */

static dns_check_t *check_new(dns_client_t *client, check_kind_t kind, const char *zone,
                              const dnsapi_hostport_t *resolver, uint16_t ns_port, size_t n_targets,
                              size_t n_glue, dns_check_done_cb done, void *data)
{
    dns_check_t *k = calloc(1, sizeof(*k));
    if (k == NULL) {
        return NULL;
    }
    k->kind = kind;
    k->done = done;
    k->data = data;
    k->have_resolver = resolver != NULL;
    if (resolver != NULL) {
        k->resolver = *resolver;
    }
    k->ns_port = ns_port ? ns_port : 53;
    snprintf(k->zone, sizeof(k->zone), "%s", zone);
    k->targets = calloc(n_targets > 0 ? n_targets : 1, sizeof(*k->targets));
    k->ns_names = calloc(n_targets > 0 ? n_targets : 1, sizeof(*k->ns_names));
    k->unreached = calloc(n_targets > 0 ? n_targets : 1, sizeof(*k->unreached));
    k->glue = calloc(n_glue > 0 ? n_glue : 1, sizeof(*k->glue));
    k->glue_names = calloc(n_glue > 0 ? n_glue : 1, sizeof(*k->glue_names));
    k->glue_addrs = calloc(n_glue > 0 ? n_glue : 1, sizeof(*k->glue_addrs));
    k->group = dns_client_group_new(client, on_idle, k);
    if (k->targets == NULL || k->ns_names == NULL || k->unreached == NULL || k->glue == NULL ||
        k->glue_names == NULL || k->glue_addrs == NULL || k->group == NULL) {
        dns_check_free(k);
        return NULL;
    }
    return k;
}

static void glue_add(dns_check_t *k, const char *name, const char *address, bool v6)
{
    snprintf(k->glue_names[k->n_glue], DNS_NAME_BUFSIZE, "%s", name);
    snprintf(k->glue_addrs[k->n_glue], DNS_ADDR_BUFSIZE, "%s", address);
    k->glue[k->n_glue] = (dns_live_glue_t){k->glue_names[k->n_glue], k->glue_addrs[k->n_glue], v6};
    k->n_glue++;
}

static void expect_set(dns_check_t *k, bool has_serial)
{
    for (size_t i = 0; i < k->n_targets; i++) {
        k->ns_names[i] = k->targets[i].name;
    }
    k->expect = (dns_live_expect_t){k->zone,   k->ns_names, k->n_targets, k->glue,
                                    k->n_glue, has_serial,  k->serial};
}

int dns_check_delegation_start(dns_client_t *client, const dns_check_delegation_args_t *args,
                               dns_check_done_cb done, void *data, dns_check_t **out,
                               dnsapi_err_t *err)
{
    const dns_delegation_t *d = args->delegation;
    size_t n_targets = d->n_targets < CHECK_MAX_TARGETS ? d->n_targets : CHECK_MAX_TARGETS;
    size_t n_glue = 0;
    for (size_t i = 0; i < n_targets; i++) {
        n_glue += d->targets[i].where == DNS_NS_BELOW_CUT ? d->targets[i].n_addrs : 0;
    }
    dns_check_t *k = check_new(client, KIND_DELEGATION, d->name, args->resolver, args->ns_port,
                               n_targets, n_glue, done, data);
    if (k == NULL) {
        return dnsapi_err_set(err, DNSAPI_ENOMEM, "internal", NULL, "Out of memory.");
    }
    for (size_t i = 0; i < n_targets; i++) {
        const dns_deleg_target_t *src = &d->targets[i];
        target_t *t = &k->targets[i];
        snprintf(t->name, sizeof(t->name), "%s", src->ns->content);
        t->where = src->where;
        t->source = src->where == DNS_NS_IN_ZONE ? DNS_ADDR_ZONE : DNS_ADDR_GLUE;
        for (size_t j = 0; j < src->n_addrs && t->n_addrs < CHECK_MAX_ADDRS; j++) {
            snprintf(t->addrs[t->n_addrs++], DNS_ADDR_BUFSIZE, "%s", src->addrs[j]->content);
            if (src->where == DNS_NS_BELOW_CUT) {
                glue_add(k, t->name, src->addrs[j]->content,
                         strcasecmp(src->addrs[j]->type, "AAAA") == 0);
            }
        }
        t->resolve =
            t->n_addrs == 0 && (src->where == DNS_NS_OUT_OF_ZONE || src->where == DNS_NS_SIBLING);
    }
    k->n_targets = n_targets;
    expect_set(k, false);
    dns_client_group_kick(k->group);
    *out = k;
    return DNSAPI_OK;
}

static bool rr_is(const dns_zone_rr_t *rr, const char *name, const char *type)
{
    return strcasecmp(rr->name, name) == 0 && strcasecmp(rr->type, type) == 0;
}

int dns_check_zone_start(dns_client_t *client, const dns_check_zone_args_t *args,
                         dns_check_done_cb done, void *data, dns_check_t **out, dnsapi_err_t *err)
{
    size_t n_targets = 0, n_glue = 0;
    for (size_t i = 0; i < args->n_rrs; i++) {
        n_targets += rr_is(&args->rrs[i], args->zone, "NS");
        n_glue +=
            strcasecmp(args->rrs[i].type, "A") == 0 || strcasecmp(args->rrs[i].type, "AAAA") == 0;
    }
    if (n_targets == 0) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "no_nameservers", NULL,
                              "The zone %s has no NS records at its apex to check.", args->zone);
    }
    n_targets = n_targets < CHECK_MAX_TARGETS ? n_targets : CHECK_MAX_TARGETS;
    dns_check_t *k = check_new(client, KIND_ZONE, args->zone, args->resolver, args->ns_port,
                               n_targets, n_glue, done, data);
    if (k == NULL) {
        return dnsapi_err_set(err, DNSAPI_ENOMEM, "internal", NULL, "Out of memory.");
    }
    k->serial = args->serial;
    for (size_t i = 0; i < args->n_rrs && k->n_targets < n_targets; i++) {
        if (!rr_is(&args->rrs[i], args->zone, "NS")) {
            continue;
        }
        target_t *t = &k->targets[k->n_targets++];
        snprintf(t->name, sizeof(t->name), "%s", args->rrs[i].content);
        bool inside = dns_name_is_at_or_below(t->name, args->zone);
        t->where = inside ? DNS_NS_IN_ZONE : DNS_NS_OUT_OF_ZONE;
        t->source = inside ? DNS_ADDR_ZONE : DNS_ADDR_RESOLVER;
        for (size_t j = 0; inside && j < args->n_rrs; j++) {
            const dns_zone_rr_t *rr = &args->rrs[j];
            bool v6 = rr_is(rr, t->name, "AAAA");
            if ((v6 || rr_is(rr, t->name, "A")) && t->n_addrs < CHECK_MAX_ADDRS) {
                snprintf(t->addrs[t->n_addrs++], DNS_ADDR_BUFSIZE, "%s", rr->content);
                glue_add(k, t->name, rr->content, v6);
            }
        }
        t->resolve = !inside;
    }
    expect_set(k, true);
    dns_client_group_kick(k->group);
    *out = k;
    return DNSAPI_OK;
}

/* ---- results ------------------------------------------------------ */

const dns_live_report_t *dns_check_report(const dns_check_t *k)
{
    return k->reported && k->kind == KIND_DELEGATION ? &k->report : NULL;
}

const dns_live_zone_report_t *dns_check_zone_report(const dns_check_t *k)
{
    return k->reported && k->kind == KIND_ZONE ? &k->zone_report : NULL;
}

const dns_live_expect_t *dns_check_expect(const dns_check_t *k)
{
    return &k->expect;
}

void dns_check_free(dns_check_t *k)
{
    if (k == NULL) {
        return;
    }
    dns_client_group_free(k->group);
    dns_live_report_clear(&k->report);
    dns_live_zone_report_clear(&k->zone_report);
    free(k->targets);
    free(k->ns_names);
    free(k->unreached);
    free(k->glue);
    free(k->glue_names);
    free(k->glue_addrs);
    free(k->servers);
    free(k->glue_answers);
    free(k->parent_targets);
    free(k->parent_servers);
    free(k);
}
