/*
 * DELETE /v1/zones/{zone}/records/{id} - delete one record.
 *
 * 1. input: token with records:write, {zone}, {id};
 * 2. one implicit transaction (store_record_delete): the token check, the
 *    delete, the new serial. A delete breaks no rule but one - it may not
 *    remove a system record - and the database's guard on records refuses
 *    that (403 system_record), so no round is spent looking first;
 * 3. answer: 200 {message, serial}.
 */
#include "api/api.h"
#include "storage/store_record.h"

static void on_deleted(void *ctx, int status, const dnsapi_err_t *err, const dns_record_t *rec,
                       uint32_t serial)
{
    api_req_t *r = ctx;
    if (!api_resume_ok(r, status, err)) {
        return;
    }
    (void)rec;
    json_t *d = json_object();
    json_object_set_new(d, "message", json_string("Record deleted successfully"));
    json_object_set_new(d, "serial", json_integer(serial));
    api_answer(r, 200, d);
}

void handle_record_delete(api_req_t *r)
{
    if (!api_is_uuid(r->record_id)) {
        api_failf(r, DNSAPI_ENOTFOUND, NULL, NULL, "record '%.64s' not found", r->record_id);
        return;
    }
    store_record_delete(r->thread->db, &r->auth, r->zone_key, r->record_id, on_deleted,
                        api_hold(r));
}
