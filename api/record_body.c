/*
 * record_body.c - record write bodies to change operations
 * (api/record_body.h).
 */
#include "api/record_body.h"

#include <string.h>

#include "api/api.h"

static const char *const post_fields[] = {"name",     "type",     "content", "ttl",
                                          "priority", "disabled", "comment", NULL};
static const char *const patch_fields[] = {"content",  "ttl",     "priority",
                                           "disabled", "comment", NULL};

int api_record_post_build(dns_change_t *c, json_t *body, dns_report_t *rep)
{
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    dns_op_t *op = dns_change_add(c, DNS_OP_POST, NULL, 0);
    if (op == NULL) {
        return DNSAPI_ENOMEM;
    }
    if (api_body_check_fields(body, post_fields, NULL, &err) != DNSAPI_OK ||
        api_body_record_fields(body, &op->fields, &err) != DNSAPI_OK ||
        dns_record_from_fields(c->zone, &op->fields, &c->arena, &op->rec, &op->warnings, &err) !=
            DNSAPI_OK) {
        return dns_report_error(rep, NULL, &err);
    }
    return DNSAPI_OK;
}

int api_record_patch_build(dns_change_t *c, json_t *body, const char *id, const char **immutable,
                           dns_report_t *rep)
{
    static const char *const names[] = {"name", "type"};
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    *immutable = NULL;
    dns_op_t *op = dns_change_add(c, DNS_OP_PATCH, NULL, 0);
    if (op == NULL) {
        return DNSAPI_ENOMEM;
    }
    op->id = id;
    for (size_t i = 0; i < 2; i++) {
        if (json_object_get(body, names[i]) != NULL) {
            *immutable = names[i];
            json_object_del(body, names[i]);
        }
    }
    if (api_body_record_fields(body, &op->fields, &err) != DNSAPI_OK) {
        return dns_report_error(rep, NULL, &err);
    }
    return DNSAPI_OK;
}

int api_record_patch_bound(const dns_change_t *c, json_t *body, const char *immutable,
                           dns_report_t *rep)
{
    const dns_op_t *op = &c->ops[0];
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    if (op->old == NULL || op->old->system ||
        dns_record_is_system_kind(c->zone, op->old->name, op->old->type)) {
        return DNSAPI_OK;
    }
    if (immutable != NULL) {
        dnsapi_err_set(&err, DNSAPI_EINVAL, "immutable_field", immutable,
                       "%s cannot be changed; delete the record and create a new one", immutable);
        return dns_report_error(rep, NULL, &err);
    }
    if (api_body_check_fields(body, patch_fields, NULL, &err) != DNSAPI_OK) {
        return dns_report_error(rep, NULL, &err);
    }
    return DNSAPI_OK;
}

static const char *const lists[] = {"deletes", "patches", "posts", NULL};
static const dns_op_kind_t kinds[] = {DNS_OP_DELETE, DNS_OP_PATCH, DNS_OP_POST};

/* One entry of list k into op; errors name the entry. */
static int batch_entry(dns_change_t *c, int k, json_t *obj, dns_op_t *op, dnsapi_err_t *err)
{
    static const char *const del_fields[] = {"id", NULL};
    static const char *const patch_entry_fields[] = {"id",       "content", "ttl", "priority",
                                                     "disabled", "comment", NULL};
    static const char *const patch_immutable[] = {"name", "type", NULL};
    if (!json_is_object(obj)) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "wrong_type", "",
                              "each entry must be a JSON object");
    }
    if (kinds[k] == DNS_OP_POST) {
        if (api_body_check_fields(obj, post_fields, NULL, err) != DNSAPI_OK ||
            api_body_record_fields(obj, &op->fields, err) != DNSAPI_OK) {
            return err->status;
        }
        return dns_record_from_fields(c->zone, &op->fields, &c->arena, &op->rec, &op->warnings,
                                      err);
    }
    const char *const *allowed = kinds[k] == DNS_OP_DELETE ? del_fields : patch_entry_fields;
    if (api_body_check_fields(obj, allowed, kinds[k] == DNS_OP_PATCH ? patch_immutable : NULL,
                              err) != DNSAPI_OK ||
        api_body_string(obj, "id", true, false, &op->id, err) < 0) {
        return err->status;
    }
    if (!api_is_uuid(op->id)) {
        return dnsapi_err_set(err, DNSAPI_ENOTFOUND, NULL, "id", "no record %.64s in zone %s",
                              op->id, c->zone);
    }
    if (kinds[k] == DNS_OP_PATCH) {
        return api_body_record_fields(obj, &op->fields, err);
    }
    return DNSAPI_OK;
}

int api_record_batch_build(dns_change_t *c, json_t *body, dns_report_t *rep)
{
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    if (api_body_check_fields(body, lists, NULL, &err) != DNSAPI_OK) {
        return dns_report_error(rep, NULL, &err);
    }
    size_t total = 0;
    for (int k = 0; k < 3; k++) {
        json_t *arr = json_object_get(body, lists[k]);
        if (arr != NULL && !json_is_array(arr) && !json_is_null(arr)) {
            dnsapi_err_set(&err, DNSAPI_EINVAL, "wrong_type", lists[k], "%s must be an array",
                           lists[k]);
            return dns_report_error(rep, NULL, &err);
        }
        total += json_is_array(arr) ? json_array_size(arr) : 0;
    }
    if (total == 0 || total > API_BATCH_MAX) {
        dnsapi_err_set(&err, DNSAPI_EINVAL, total == 0 ? "missing_field" : "too_long", "posts",
                       "a batch holds 1 to %d entries in deletes, patches and posts",
                       API_BATCH_MAX);
        return dns_report_error(rep, NULL, &err);
    }
    for (int k = 0; k < 3; k++) {
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(body, lists[k]), i, v)
        {
            dns_op_t *op = dns_change_add(c, kinds[k], lists[k], i);
            if (op == NULL) {
                return DNSAPI_ENOMEM;
            }
            dnsapi_err_clear(&err);
            if (batch_entry(c, k, v, op, &err) != DNSAPI_OK) {
                return dns_report_error(rep, op, &err);
            }
            for (size_t j = 0; j + 1 < c->n && op->kind != DNS_OP_POST; j++) {
                const dns_op_t *other = &c->ops[j];
                if (other->kind != DNS_OP_POST && strcmp(other->id, op->id) == 0) {
                    dnsapi_err_set(&err, DNSAPI_EINVAL, "duplicate_id", "id",
                                   "record %s is already named by %s[%zu]; name each record "
                                   "once per batch",
                                   op->id, other->list, other->index);
                    return dns_report_error(rep, op, &err);
                }
            }
        }
    }
    return DNSAPI_OK;
}
