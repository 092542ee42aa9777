/*
 * POST /v1/zones/{zone}/records/batch - deletes, patches and posts applied
 * in that order in one transaction, the rules checked on the result, one
 * serial step; all or nothing. ?dry_run=true checks and shows the result
 * without keeping it.
 *
 * 1. input: token with records:write, {zone}, the JSON body
 *    {"deletes":[{id}], "patches":[{id, ...}], "posts":[{...}]},
 *    ?dry_run, an Idempotency-Key;
 * 2. build (api/record_body.c): each entry checked and turned into an operation that names
 *    its place (posts[2]) for errors;
 * 3. the write path (api/write.c): the records named and touched loaded,
 *    patches applied in the view, the rules on the whole result, one write;
 * 4. answer: 200 {deleted, updated, created, serial, dry_run?, warnings?}.
 */
#include <string.h>

#include "api/record_body.h"
#include "api/view.h"
#include "api/write.h"

static int build(api_write_t *w)
{
    return api_record_batch_build(&w->change, w->r->body, &w->report);
}

static void answer(api_write_t *w, const store_written_t *res)
{
    json_t *deleted = json_array(), *updated = json_array(), *created = json_array();
    for (size_t i = 0; res != NULL && i < res->n_deleted; i++) {
        json_array_append_new(deleted, json_string(res->deleted[i]));
    }
    for (size_t i = 0; res != NULL && i < res->n_updated; i++) {
        json_array_append_new(updated, view_record(&res->updated[i]));
    }
    for (size_t i = 0; res != NULL && i < res->n_created; i++) {
        json_array_append_new(created, view_record(&res->created[i]));
    }
    json_t *d = json_object();
    json_object_set_new(d, "deleted", deleted);
    json_object_set_new(d, "updated", updated);
    json_object_set_new(d, "created", created);
    json_object_set_new(d, "serial", json_integer(res != NULL ? res->serial : w->zone_serial));
    api_write_answer(w, 200, d);
}

void handle_record_batch(api_req_t *r)
{
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    api_write_t *w = api_write_new(r, 1);
    if (api_query_bool(r, "dry_run", &w->dry_run, &err) != DNSAPI_OK) {
        api_fail(r, &err);
        return;
    }
    w->build = build;
    w->answer = answer;
    api_write_start(w);
}
