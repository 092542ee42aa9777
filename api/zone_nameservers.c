/*
 * PUT /v1/zones/{zone}/nameservers - replace the zone's apex NS set, the
 * only way it changes (the record endpoints answer 403 system_record).
 *
 * 1. input: token with zones:write, {zone}, the JSON body
 *    {"nameservers": [host names], "glue": [{name, type, content, ttl?}]?},
 *    an Idempotency-Key;
 * 2. build: glue entries as posts (A/AAAA only); the names handed to the
 *    shared name-server change (api/nameservers.c);
 * 3. the write path (api/write.c): the apex loaded, the change planned
 *    (dns_change_nameservers), the rules, one write, one serial step;
 * 4. answer: 200 {message, nameservers, changed, serial, warnings?}.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/nameservers.h"
#include "api/view.h"
#include "dns/dns.h"

/* ---- the change, shared with the command line ---------------------------- */

typedef struct {
    char (*names)[DNS_NAME_BUFSIZE];
    const char **ptrs;
    size_t n;
} ns_data_t;

static void ns_data_free(void *p)
{
    ns_data_t *d = p;
    if (d != NULL) {
        free(d->names);
        free(d->ptrs);
        free(d);
    }
}

static int ns_interest(api_write_t *w, dns_interest_t *in)
{
    /* the apex: the stored NS set and the SOA */
    return dns_names_add(&in->at, &w->change.arena, w->change.zone);
}

static int ns_plan(api_write_t *w)
{
    ns_data_t *d = w->data;
    const dns_record_t *const *stored;
    size_t n_stored = dns_view_stored(w->view, &stored);
    int rc = dns_change_nameservers(&w->change, d->ptrs, d->n, stored, n_stored, &w->report);
    return rc == DNSAPI_ENOMEM ? rc : DNSAPI_OK; /* other errors are in the report */
}

void api_nameservers_setup(api_write_t *w, const char *const *names, size_t n)
{
    ns_data_t *d = calloc(1, sizeof(*d));
    if (d == NULL || (d->names = calloc(n + 1, sizeof(*d->names))) == NULL ||
        (d->ptrs = calloc(n + 1, sizeof(*d->ptrs))) == NULL) {
        abort();
    }
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(names[i]);
        /* longer than any name: kept cut, and refused by the name rules */
        memcpy(d->names[i], names[i], len < DNS_NAME_BUFSIZE ? len : DNS_NAME_BUFSIZE - 1);
        d->ptrs[i] = d->names[i];
    }
    d->n = n;
    w->data = d;
    w->data_free = ns_data_free;
    w->interest = ns_interest;
    w->plan = ns_plan;
}

json_t *api_nameservers_json(const api_write_t *w)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < w->change.n_apex_ns; i++) {
        json_array_append_new(arr, json_string(w->change.apex_ns[i]));
    }
    return arr;
}

/* ---- the HTTP endpoint ------------------------------------------------------ */

static int build(api_write_t *w)
{
    static const char *const glue_fields[] = {"name", "type", "content", "ttl", NULL};
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    json_t *glue = json_object_get(w->r->body, "glue");
    size_t i;
    json_t *v;
    json_array_foreach(glue, i, v)
    {
        dns_op_t *op = dns_change_add(&w->change, DNS_OP_POST, "glue", i);
        if (op == NULL) {
            return DNSAPI_ENOMEM;
        }
        if (!json_is_object(v)) {
            dnsapi_err_set(&err, DNSAPI_EINVAL, "wrong_type", "",
                           "each glue entry must be a JSON object {name, type, content}");
            return dns_report_error(&w->report, op, &err);
        }
        if (api_body_check_fields(v, glue_fields, NULL, &err) != DNSAPI_OK ||
            api_body_record_fields(v, &op->fields, &err) != DNSAPI_OK) {
            return dns_report_error(&w->report, op, &err);
        }
        if (op->fields.type == NULL ||
            (strcasecmp(op->fields.type, "A") != 0 && strcasecmp(op->fields.type, "AAAA") != 0)) {
            dnsapi_err_set(&err, DNSAPI_EINVAL, "bad_glue", "type",
                           "glue is the address of a name server: type A or AAAA");
            return dns_report_error(&w->report, op, &err);
        }
        if (dns_record_from_fields(w->change.zone, &op->fields, &w->change.arena, &op->rec,
                                   &op->warnings, &err) != DNSAPI_OK) {
            return dns_report_error(&w->report, op, &err);
        }
    }
    return DNSAPI_OK;
}

static void answer(api_write_t *w, const store_written_t *res)
{
    json_t *d = json_object();
    json_object_set_new(d, "message",
                        json_string(res != NULL ? "Name servers changed successfully"
                                                : "The zone already has these name servers"));
    json_object_set_new(d, "nameservers", api_nameservers_json(w));
    json_object_set_new(d, "changed", json_boolean(res != NULL));
    json_object_set_new(d, "serial", json_integer(res != NULL ? res->serial : w->zone_serial));
    api_write_answer(w, 200, d);
}

void handle_zone_nameservers(api_req_t *r)
{
    static const char *const fields[] = {"nameservers", "glue", NULL};
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    if (api_body_check_fields(r->body, fields, NULL, &err) != DNSAPI_OK) {
        api_fail(r, &err);
        return;
    }
    json_t *list = json_object_get(r->body, "nameservers");
    json_t *glue = json_object_get(r->body, "glue");
    if (list == NULL) {
        api_failf(r, DNSAPI_EINVAL, "missing_field", "nameservers",
                  "nameservers is required: an array of host names, e.g. "
                  "[\"ns1.example.net\", \"ns2.example.org\"]");
        return;
    }
    if (!json_is_array(list) || json_array_size(list) > DNS_NAMESERVERS_MAX) {
        api_failf(r, DNSAPI_EINVAL, json_is_array(list) ? "too_long" : "wrong_type", "nameservers",
                  "nameservers must be an array of at most %d host names", DNS_NAMESERVERS_MAX);
        return;
    }
    if (glue != NULL && (!json_is_array(glue) || json_array_size(glue) > 2 * DNS_NAMESERVERS_MAX)) {
        api_failf(r, DNSAPI_EINVAL, json_is_array(glue) ? "too_long" : "wrong_type", "glue",
                  "glue must be an array of at most %d A/AAAA records", 2 * DNS_NAMESERVERS_MAX);
        return;
    }
    const char *names[DNS_NAMESERVERS_MAX];
    size_t n = json_array_size(list);
    for (size_t i = 0; i < n; i++) {
        names[i] = json_string_value(json_array_get(list, i));
        if (names[i] == NULL) {
            api_failf(r, DNSAPI_EINVAL, "wrong_type", "nameservers",
                      "nameservers[%zu] must be a string: a host name such as ns1.example.net", i);
            return;
        }
    }
    api_write_t *w = api_write_new(r, 8);
    api_nameservers_setup(w, names, n);
    w->build = build;
    w->answer = answer;
    api_write_start(w);
}
