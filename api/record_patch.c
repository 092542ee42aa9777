/*
 * PATCH /v1/zones/{zone}/records/{id} - change one record's content, TTL,
 * priority, disabled flag or comment.
 *
 * 1. input: token with records:write, {zone}, {id}, the JSON body;
 * 2. build (api/record_body.c): one patch with the body's writable fields (name and type set
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

#include "api/record_body.h"
#include "api/view.h"
#include "api/write.h"

static int build(api_write_t *w)
{
    const char *immutable = NULL;
    int rc =
        api_record_patch_build(&w->change, w->r->body, w->r->record_id, &immutable, &w->report);
    w->data = (void *)immutable;
    return rc;
}

static int bound(api_write_t *w)
{
    return api_record_patch_bound(&w->change, w->r->body, w->data, &w->report);
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
