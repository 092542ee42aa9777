#include "api/record_prep.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/view.h"

void rec_init(rec_t *rec)
{
    memset(rec, 0, sizeof(*rec));
    rec->priority = -1;
    rec->in_priority = -1;
}

int rec_fields_parse(json_t *obj, rec_t *rec, dnsapi_err_t *err)
{
    long long v;
    int rc;
    if ((rc = view_body_string(obj, "content", false, false, &rec->in_content, err)) < 0) {
        return err->status;
    }
    rec->has_content = rc == 1;
    if ((rc = view_body_int(obj, "ttl", false, 0, 2147483647, &v, err)) < 0) {
        return err->status;
    }
    rec->has_ttl = rc == 1;
    rec->ttl = rc == 1 ? v : 0;
    if ((rc = view_body_int(obj, "priority", false, 0, 65535, &v, err)) < 0) {
        return err->status;
    }
    rec->has_priority = rc == 1;
    rec->in_priority = rc == 1 ? v : -1;
    if ((rc = view_body_bool(obj, "disabled", &rec->disabled, err)) < 0) {
        return err->status;
    }
    rec->has_disabled = rc == 1;
    if ((rc = view_body_string(obj, "comment", false, true, &rec->comment, err)) < 0) {
        return err->status;
    }
    rec->comment_given = json_object_get(obj, "comment") != NULL;
    if (rec->comment != NULL && strlen(rec->comment) > 10000) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "too_long", "comment",
                              "comment must be at most 10000 characters");
    }
    return DNSAPI_OK;
}

/* Normalizes content and priority for rec->type from the request fields. */
static int normalize_content(api_req_t *r, rec_t *rec, const char *content, dnsapi_err_t *err)
{
    int prio = -1;
    int rc = dns_rdata_normalize(r->zone_name, rec->type, content, rec->in_priority, rec->content,
                                 sizeof(rec->content), &prio, err);
    if (rc == DNSAPI_OK) {
        rec->priority = prio;
    }
    return rc;
}

int rec_post_prepare(api_req_t *r, json_t *obj, rec_t *rec, dnsapi_err_t *err)
{
    const dnsapi_config_t *cfg = r->thread->cfg;
    const char *name = NULL, *type = NULL;
    int rc;
    if (view_body_string(obj, "name", true, false, &name, err) < 0 ||
        view_body_string(obj, "type", true, false, &type, err) < 0 ||
        view_body_string(obj, "content", true, false, &rec->in_content, err) < 0) {
        return err->status;
    }
    if ((rc = dns_type_normalize(type, rec->type, sizeof(rec->type), err)) != DNSAPI_OK ||
        (rc = dns_name_normalize(r->zone_name, name, rec->name, sizeof(rec->name), err)) !=
            DNSAPI_OK ||
        (rc = dns_rules_check_system(r->zone_name, rec->name, rec->type, err)) != DNSAPI_OK ||
        (rc = normalize_content(r, rec, rec->in_content, err)) != DNSAPI_OK) {
        return rc;
    }
    if (!rec->has_ttl) {
        rec->ttl = dns_type_default_ttl(rec->type);
    }
    return dns_rules_check_ttl((uint32_t)rec->ttl, cfg->ttl_min, cfg->ttl_max, err);
}

int rec_patch_prepare(api_req_t *r, const PGresult *old, int row, rec_t *rec, dnsapi_err_t *err)
{
    const dnsapi_config_t *cfg = r->thread->cfg;
    snprintf(rec->name, sizeof(rec->name), "%s", PQgetvalue(old, row, 1));
    snprintf(rec->type, sizeof(rec->type), "%s", PQgetvalue(old, row, 2));
    if (dns_rules_check_system(r->zone_name, rec->name, rec->type, err) != DNSAPI_OK ||
        PQgetvalue(old, row, 7)[0] == 't') {
        if (err->status != DNSAPI_ESYSTEM) {
            /* marked system without being SOA or apex NS: say it plainly */
            dnsapi_err_set(err, DNSAPI_ESYSTEM, "system_record", NULL,
                           "%s %s is a system record managed by dnsapi and cannot be changed; NS "
                           "records for subdomains are allowed",
                           rec->type, rec->name);
        }
        return err->status;
    }
    /* new values: given fields, else the old ones */
    bool old_prio = !PQgetisnull(old, row, 5);
    if (!rec->has_priority && old_prio && !rec->has_content) {
        rec->in_priority = atol(PQgetvalue(old, row, 5));
    } else if (!rec->has_priority && old_prio && rec->has_content) {
        rec->in_priority = -1; /* may come inside the new content; else keep the old one below */
    }
    const char *content = rec->has_content ? rec->in_content : PQgetvalue(old, row, 3);
    int rc = normalize_content(r, rec, content, err);
    if (rc != DNSAPI_OK && rec->has_content && !rec->has_priority && old_prio &&
        strcmp(err->field, "priority") == 0) {
        /* new content without a priority: keep the old priority */
        dnsapi_err_clear(err);
        rec->in_priority = atol(PQgetvalue(old, row, 5));
        rc = normalize_content(r, rec, content, err);
    }
    if (rc != DNSAPI_OK) {
        return rc;
    }
    rec->ttl = rec->has_ttl ? rec->ttl : strtoll(PQgetvalue(old, row, 4), NULL, 10);
    if (!rec->has_disabled) {
        rec->disabled = PQgetvalue(old, row, 6)[0] == 't';
    }
    if (!rec->comment_given) {
        rec->comment = PQgetisnull(old, row, 8)
                           ? NULL
                           : h2o_strdup(&r->req->pool, PQgetvalue(old, row, 8), SIZE_MAX).base;
    }
    return dns_rules_check_ttl((uint32_t)rec->ttl, cfg->ttl_min, cfg->ttl_max, err);
}

dns_rr_t rec_rr_of_row(const PGresult *res, int row)
{
    dns_rr_t rr = {PQgetvalue(res, row, 1), PQgetvalue(res, row, 2), PQgetvalue(res, row, 3),
                   (uint32_t)strtoul(PQgetvalue(res, row, 4), NULL, 10),
                   PQgetisnull(res, row, 5) ? -1 : atoi(PQgetvalue(res, row, 5))};
    return rr;
}

size_t rec_rrs_from(const PGresult *res, dns_rr_t *rrs, size_t max, const char *skip_id)
{
    size_t n = 0;
    for (int i = 0; res != NULL && i < PQntuples(res) && n < max; i++) {
        if (skip_id == NULL || strcmp(PQgetvalue(res, i, 0), skip_id) != 0) {
            rrs[n++] = rec_rr_of_row(res, i);
        }
    }
    return n;
}

dns_rr_t rec_rr(const rec_t *rec)
{
    dns_rr_t rr = {rec->name, rec->type, rec->content, (uint32_t)rec->ttl, rec->priority};
    return rr;
}

void rec_warnings_add(json_t *d, const dns_warning_t *w, size_t n)
{
    if (n == 0) {
        return;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "code", json_string(w[i].code));
        json_object_set_new(o, "message", json_string(w[i].message));
        json_array_append_new(arr, o);
    }
    json_object_set_new(d, "warnings", arr);
}
