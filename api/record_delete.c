/*
 * DELETE /v1/zones/{zone}/records/{id} - delete one record.
 *
 * 1. input: token with records:write, {zone}, {id};
 * 2. the write path (api/write.c): the record loaded, then what its
 *    delete touches (the NS records pointing at an address), the
 *    credential's policies and the rules - a system record is refused
 *    (403 system_record), and so is the last address of an in-zone name
 *    server (422 missing_glue) - one write, one serial step;
 * 3. answer: 200 {message, serial}.
 */
#include "api/api.h"
#include "api/write.h"

static int one_build(api_write_t *w)
{
    dns_op_t *op = dns_change_add(&w->change, DNS_OP_DELETE, NULL, 0);
    if (op == NULL) {
        return DNSAPI_ENOMEM;
    }
    op->id = w->r->record_id;
    return DNSAPI_OK;
}

static void one_answer(api_write_t *w, const store_written_t *res)
{
    json_t *d = json_object();
    json_object_set_new(d, "message", json_string("Record deleted successfully"));
    json_object_set_new(d, "serial", json_integer(res != NULL ? res->serial : w->zone_serial));
    api_write_answer(w, 200, d);
}

void handle_record_delete(api_req_t *r)
{
    if (!api_is_uuid(r->record_id)) {
        api_failf(r, DNSAPI_ENOTFOUND, NULL, NULL, "record '%.64s' not found", r->record_id);
        return;
    }
    api_write_t *w = api_write_new(r, 1);
    w->build = one_build;
    w->answer = one_answer;
    api_write_start(w);
}

/*
 * DELETE /v1/zones/{zone}/records?name=&type=&content= - delete exactly the
 * records that match (as a list filters them), or with all=true every
 * record the filters given match (every non-system record without any).
 * ACME clients clean up their challenge this way, without an id.
 *
 * 1. input: token with records:write, {zone}, the filters;
 * 2. the write path (api/write.c): the records at the name loaded (the
 *    whole zone without a name), plan: a delete for each match, the rules
 *    (a system record is refused), one write, one serial step;
 * 3. answer: 200 {message, deleted: [ids], serial}; nothing matching
 *    deletes nothing, changes nothing, and says so (deleted: []).
 */
#include <string.h>

#include "api/write.h"
#include "dns/dns.h"

typedef struct {
    const char *name, *type, *content;
    char norm_name[DNS_NAME_BUFSIZE], norm_type[16];
} match_t;

static int matching_build(api_write_t *w)
{
    match_t *m = w->data;
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    if (m->name != NULL && dns_name_normalize(w->change.zone, m->name, m->norm_name,
                                              sizeof(m->norm_name), &err) != DNSAPI_OK) {
        return dns_report_error(&w->report, NULL, &err);
    }
    if (m->type != NULL &&
        dns_type_normalize(m->type, m->norm_type, sizeof(m->norm_type), &err) != DNSAPI_OK) {
        return dns_report_error(&w->report, NULL, &err);
    }
    return DNSAPI_OK;
}

static int matching_interest(api_write_t *w, dns_interest_t *in)
{
    match_t *m = w->data;
    return m->name != NULL ? dns_names_add(&in->at, &w->change.arena, m->norm_name) : DNSAPI_OK;
}

static int matching_plan(api_write_t *w)
{
    match_t *m = w->data;
    const dns_record_t *const *rows;
    size_t n = dns_view_stored(w->view, &rows);
    for (size_t i = 0; i < n; i++) {
        const dns_record_t *r = rows[i];
        if ((m->name != NULL && strcmp(r->name, m->norm_name) != 0) ||
            (m->type != NULL && strcmp(r->type, m->norm_type) != 0) ||
            (m->content != NULL && strcmp(r->content, m->content) != 0)) {
            continue;
        }
        if (m->name == NULL && m->type == NULL && m->content == NULL &&
            (r->system || dns_record_is_system_kind(w->change.zone, r->name, r->type))) {
            continue; /* all=true alone: every record but dnsapi's own */
        }
        dns_op_t *op = dns_change_add(&w->change, DNS_OP_DELETE, NULL, 0);
        if (op == NULL) {
            return DNSAPI_ENOMEM;
        }
        op->id = r->id; /* the view's copy lives as long as the change */
    }
    return DNSAPI_OK;
}

static void matching_answer(api_write_t *w, const store_written_t *res)
{
    json_t *deleted = json_array();
    for (size_t i = 0; res != NULL && i < res->n_deleted; i++) {
        json_array_append_new(deleted, json_string(res->deleted[i]));
    }
    json_t *d = json_object();
    json_object_set_new(
        d, "message",
        json_string(res != NULL ? "Records deleted successfully" : "No record matched"));
    json_object_set_new(d, "deleted", deleted);
    json_object_set_new(d, "serial", json_integer(res != NULL ? res->serial : w->zone_serial));
    api_write_answer(w, 200, d);
}

void handle_record_delete_matching(api_req_t *r)
{
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    bool all = false;
    if (api_query_bool(r, "all", &all, &err) != DNSAPI_OK) {
        api_fail(r, &err);
        return;
    }
    api_write_t *w = api_write_new(r, 1);
    match_t *m = calloc(1, sizeof(*m));
    if (m == NULL) {
        abort();
    }
    w->data = m;
    w->data_free = free;
    static const char *const keys[] = {"name", "type", "content"};
    const char **vals[] = {&m->name, &m->type, &m->content};
    for (size_t i = 0; i < 3; i++) {
        const char *v = api_query_get(r, keys[i]);
        *vals[i] = v != NULL && *v != '\0' ? v : NULL;
        if (*vals[i] == NULL && !all) {
            api_failf(r, DNSAPI_EINVAL, "missing_field", keys[i],
                      "give name, type and content to delete the records that match exactly, or "
                      "all=true to delete every record the filters given match");
            return;
        }
    }
    w->load_all = m->name == NULL;
    w->build = matching_build;
    w->interest = matching_interest;
    w->plan = matching_plan;
    w->answer = matching_answer;
    api_write_start(w);
}
