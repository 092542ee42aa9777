/*
 * POST /v1/zones/{zone}/records/batch - deletes, patches and posts applied
 * in that order in one transaction, the rules checked on the result, one
 * serial step; all or nothing. ?dry_run=true checks and shows the result
 * without keeping it.
 *
 * 1. input: token with records:write, {zone}, the JSON body
 *    {"deletes":[{id}], "patches":[{id, ...}], "posts":[{...}]},
 *    ?dry_run, an Idempotency-Key;
 * 2. build: each entry checked and turned into an operation that names
 *    its place (posts[2]) for errors;
 * 3. the write path (api/write.c): the records named and touched loaded,
 *    patches applied in the view, the rules on the whole result, one write;
 * 4. answer: 200 {deleted, updated, created, serial, dry_run?, warnings?}.
 */
#include <string.h>

#include "api/view.h"
#include "api/write.h"

#define BATCH_MAX 1000 /* entries in one batch */

static const char *const lists[] = {"deletes", "patches", "posts", NULL};
static const dns_op_kind_t kinds[] = {DNS_OP_DELETE, DNS_OP_PATCH, DNS_OP_POST};

/* One entry of list k into op; errors name the entry. */
static int build_entry(api_write_t *w, int k, json_t *obj, dns_op_t *op, dnsapi_err_t *err)
{
    static const char *const del_fields[] = {"id", NULL};
    static const char *const patch_fields[] = {"id",       "content", "ttl", "priority",
                                               "disabled", "comment", NULL};
    static const char *const patch_immutable[] = {"name", "type", NULL};
    static const char *const post_fields[] = {"name",     "type",     "content", "ttl",
                                              "priority", "disabled", "comment", NULL};
    if (!json_is_object(obj)) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "wrong_type", "",
                              "each entry must be a JSON object");
    }
    if (kinds[k] == DNS_OP_POST) {
        if (api_body_check_fields(obj, post_fields, NULL, err) != DNSAPI_OK ||
            api_body_record_fields(obj, &op->fields, err) != DNSAPI_OK) {
            return err->status;
        }
        return dns_record_from_fields(w->change.zone, &op->fields, &w->change.arena, &op->rec,
                                      &op->warnings, err);
    }
    const char *const *allowed = kinds[k] == DNS_OP_DELETE ? del_fields : patch_fields;
    if (api_body_check_fields(obj, allowed, kinds[k] == DNS_OP_PATCH ? patch_immutable : NULL,
                              err) != DNSAPI_OK ||
        api_body_string(obj, "id", true, false, &op->id, err) < 0) {
        return err->status;
    }
    if (!api_is_uuid(op->id)) {
        return dnsapi_err_set(err, DNSAPI_ENOTFOUND, NULL, "id", "no record %.64s in zone %s",
                              op->id, w->change.zone);
    }
    if (kinds[k] == DNS_OP_PATCH) {
        return api_body_record_fields(obj, &op->fields, err);
    }
    return DNSAPI_OK;
}

static int build(api_write_t *w)
{
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    json_t *body = w->r->body;
    if (api_body_check_fields(body, lists, NULL, &err) != DNSAPI_OK) {
        return dns_report_error(&w->report, NULL, &err);
    }
    size_t total = 0;
    for (int k = 0; k < 3; k++) {
        json_t *arr = json_object_get(body, lists[k]);
        if (arr != NULL && !json_is_array(arr) && !json_is_null(arr)) {
            dnsapi_err_set(&err, DNSAPI_EINVAL, "wrong_type", lists[k], "%s must be an array",
                           lists[k]);
            return dns_report_error(&w->report, NULL, &err);
        }
        total += json_is_array(arr) ? json_array_size(arr) : 0;
    }
    if (total == 0 || total > BATCH_MAX) {
        dnsapi_err_set(&err, DNSAPI_EINVAL, total == 0 ? "missing_field" : "too_long", "posts",
                       "a batch holds 1 to %d entries in deletes, patches and posts", BATCH_MAX);
        return dns_report_error(&w->report, NULL, &err);
    }
    for (int k = 0; k < 3; k++) {
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(body, lists[k]), i, v)
        {
            dns_op_t *op = dns_change_add(&w->change, kinds[k], lists[k], i);
            if (op == NULL) {
                return DNSAPI_ENOMEM;
            }
            dnsapi_err_clear(&err);
            if (build_entry(w, k, v, op, &err) != DNSAPI_OK) {
                return dns_report_error(&w->report, op, &err);
            }
            for (size_t j = 0; j + 1 < w->change.n && op->kind != DNS_OP_POST; j++) {
                const dns_op_t *other = &w->change.ops[j];
                if (other->kind != DNS_OP_POST && strcmp(other->id, op->id) == 0) {
                    dnsapi_err_set(&err, DNSAPI_EINVAL, "duplicate_id", "id",
                                   "record %s is already named by %s[%zu]; name each record "
                                   "once per batch",
                                   op->id, other->list, other->index);
                    return dns_report_error(&w->report, op, &err);
                }
            }
        }
    }
    return DNSAPI_OK;
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
