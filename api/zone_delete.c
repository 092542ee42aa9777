/*
 * DELETE /v1/zones/{zone} - delete a zone and everything in it.
 *
 * 1. input: token with zones:write, {zone};
 * 2. store_zone_delete: one implicit transaction (the token's zone limit is
 *    kept by the database, so an id outside it deletes nothing);
 * 3. answer: 200 {message}.
 */
#include "api/api.h"
#include "storage/store_zone.h"

static void on_deleted(void *ctx, int status, const dnsapi_err_t *err, const store_zone_t *zone)
{
    api_req_t *r = ctx;
    (void)zone;
    if (!api_resume_ok(r, status, err)) {
        return;
    }
    json_t *d = json_object();
    json_object_set_new(d, "message", json_string("Zone deleted successfully"));
    api_answer(r, 200, d);
}

void handle_zone_delete(api_req_t *r)
{
    store_zone_delete(r->thread->db, &r->auth, r->zone_key, on_deleted, api_hold(r));
}
