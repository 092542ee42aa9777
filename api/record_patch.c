/*
 * PATCH /v1/zones/{zone}/records/{id} - change one record's content, TTL,
 * priority, disabled flag or comment.
 *
 * 1. input: token with records:write, {zone}, {id}, the JSON body;
 * 2. build: one patch with the body's writable fields (name and type set
 *    aside: they are immutable_field, but only once the record is known -
 *    a system record, the SOA or an apex NS, is 403 system_record whatever
 *    the body asks);
 * 3. the write path (api/write.c): the record loaded and the patch applied
 *    to it in the view; bound: unknown and immutable fields; the names it
 *    reaches loaded; the rules; the update;
 * 4. answer: 200 {message, record, serial, warnings?}; a patch that changes
 *    nothing answers the same without a write, a serial step or an audit
 *    entry.
 */
#include <stdio.h>
#include <string.h>

#include "api/view.h"
#include "api/write.h"

static const char *const fields[] = {"content", "ttl", "priority", "disabled", "comment", NULL};

static int build(api_write_t *w)
{
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    dns_op_t *op = dns_change_add(&w->change, DNS_OP_PATCH, NULL, 0);
    if (op == NULL) {
        return DNSAPI_ENOMEM;
    }
    op->id = w->r->record_id;
    /* name and type leave the body here; bound() refuses them */
    static const char *const immutable[] = {"name", "type"};
    for (size_t i = 0; i < 2; i++) {
        if (json_object_get(w->r->body, immutable[i]) != NULL) {
            w->data = (void *)immutable[i];
            json_object_del(w->r->body, immutable[i]);
        }
    }
    if (api_body_record_fields(w->r->body, &op->fields, &err) != DNSAPI_OK) {
        return dns_report_error(&w->report, NULL, &err);
    }
    return DNSAPI_OK;
}

/* With the record known: a system record goes on to the rules (which
 * refuse it as system_record); an ordinary one may name only fields. */
static int bound(api_write_t *w)
{
    const dns_op_t *op = &w->change.ops[0];
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    if (op->old == NULL || op->old->system ||
        dns_record_is_system_kind(w->change.zone, op->old->name, op->old->type)) {
        return DNSAPI_OK;
    }
    if (w->data != NULL) {
        const char *key = w->data;
        dnsapi_err_set(&err, DNSAPI_EINVAL, "immutable_field", key,
                       "%s cannot be changed; delete the record and create a new one", key);
        return dns_report_error(&w->report, NULL, &err);
    }
    if (api_body_check_fields(w->r->body, fields, NULL, &err) != DNSAPI_OK) {
        return dns_report_error(&w->report, NULL, &err);
    }
    return DNSAPI_OK;
}

static void answer(api_write_t *w, const store_written_t *res)
{
    const dns_op_t *op = &w->change.ops[0];
    json_t *d = json_object();
    json_object_set_new(d, "message", json_string("Record updated successfully"));
    if (res != NULL && res->n_updated == 1) {
        json_object_set_new(d, "record", view_record(&res->updated[0]));
        json_object_set_new(d, "serial", json_integer(res->serial));
    } else {
        json_object_set_new(d, "record", view_record(op->old));
        json_object_set_new(d, "serial", json_integer(w->zone_serial));
    }
    api_write_answer(w, 200, d);
}

void handle_record_patch(api_req_t *r)
{
    if (!api_is_uuid(r->record_id)) {
        api_failf(r, DNSAPI_ENOTFOUND, NULL, NULL, "record '%.64s' not found", r->record_id);
        return;
    }
    api_write_t *w = api_write_new(r, 1);
    w->build = build;
    w->bound = bound;
    w->answer = answer;
    api_write_start(w);
}
