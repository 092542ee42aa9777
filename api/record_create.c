/*
 * POST /v1/zones/{zone}/records - create one record.
 *
 * 1. input (api/request.c): token with records:write, {zone}, the JSON
 *    body, an Idempotency-Key;
 * 2. build (api/record_body.c): the body's fields (api_body_record_fields),
 *    the record normalized (dns_record_from_fields), one post;
 * 3. the write path (api/write.c): the transaction, the view at the names
 *    the record touches, dns_rules_check_change, the insert;
 * 4. answer: 201 {message, record, serial, warnings?}, committed with the
 *    write when the request carries an Idempotency-Key.
 */
#include "api/record_body.h"
#include "api/view.h"
#include "api/write.h"

static int build(api_write_t *w)
{
    return api_record_post_build(&w->change, w->r->body, &w->report);
}

static void answer(api_write_t *w, const store_written_t *res)
{
    json_t *d = json_object();
    json_object_set_new(d, "message", json_string("Record created successfully"));
    json_object_set_new(d, "record", view_record(&res->created[0]));
    json_object_set_new(d, "serial", json_integer(res->serial));
    api_write_answer(w, 201, d);
}

void handle_record_create(api_req_t *r)
{
    api_write_t *w = api_write_new(r, 1);
    w->build = build;
    w->answer = answer;
    api_write_start(w);
}
