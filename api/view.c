/* JSON views (see view.h). */
#include "api/view.h"

#include <stdlib.h>
#include <string.h>

static json_t *str_or_null(const char *s)
{
    if (s == NULL) {
        return json_null();
    }
    json_t *v = json_string(s);
    return v != NULL ? v : json_string(""); /* not UTF-8: never stored by the API */
}

static json_t *json_text_or_null(const char *s)
{
    json_t *v = s != NULL ? json_loads(s, JSON_DECODE_ANY, NULL) : NULL;
    return v != NULL ? v : json_null();
}

json_t *view_zone(const store_zone_t *z)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", str_or_null(z->id));
    json_object_set_new(o, "name", str_or_null(z->name));
    json_object_set_new(o, "serial", json_integer(z->serial));
    json_object_set_new(o, "published_serial",
                        z->has_published ? json_integer(z->published_serial) : json_null());
    if (z->has_publication) {
        json_object_set_new(o, "status", str_or_null(z->status));
        json_object_set_new(o, "error", str_or_null(z->error));
        json_t *servers = json_array();
        for (size_t i = 0; i < z->n_servers; i++) {
            const store_zone_server_t *sv = &z->servers[i];
            json_t *e = json_object();
            json_object_set_new(e, "name", str_or_null(sv->name));
            json_object_set_new(e, "address", str_or_null(sv->address));
            json_object_set_new(e, "serial",
                                sv->has_serial ? json_integer(sv->serial) : json_null());
            json_object_set_new(e, "in_sync", json_boolean(sv->in_sync));
            json_object_set_new(e, "checked_at", str_or_null(sv->checked_at));
            json_object_set_new(e, "error", str_or_null(sv->error));
            json_array_append_new(servers, e);
        }
        json_object_set_new(o, "servers", servers);
    } else {
        /* a read that does not show the publication (a delete's answer) */
        bool published = z->has_published && z->published_serial == z->serial;
        json_object_set_new(o, "status", json_string(published ? "published" : "pending"));
    }
    json_object_set_new(o, "nameservers", json_text_or_null(z->nameservers_json));
    json_object_set_new(o, "created_at", str_or_null(z->created_at));
    json_object_set_new(o, "updated_at", str_or_null(z->updated_at));
    return o;
}

json_t *view_record(const dns_record_t *r)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", str_or_null(r->id));
    json_object_set_new(o, "name", str_or_null(r->name));
    json_object_set_new(o, "type", str_or_null(r->type));
    json_object_set_new(o, "content", str_or_null(r->content));
    json_object_set_new(o, "ttl", json_integer(r->ttl));
    if (r->priority >= 0) {
        json_object_set_new(o, "priority", json_integer(r->priority));
    }
    json_object_set_new(o, "disabled", json_boolean(r->disabled));
    json_object_set_new(o, "system", json_boolean(r->system));
    json_object_set_new(o, "managed_by", str_or_null(r->managed_by));
    json_object_set_new(o, "comment", str_or_null(r->comment));
    json_object_set_new(o, "created_at", str_or_null(r->created_at));
    json_object_set_new(o, "updated_at", str_or_null(r->updated_at));
    return o;
}

/* Space-separated scopes as a JSON array. */
static json_t *scopes_array(const char *text)
{
    json_t *scopes = json_array();
    for (const char *s = text; *s != '\0';) {
        size_t len = strcspn(s, " ");
        if (len > 0) {
            json_array_append_new(scopes, json_stringn(s, len));
        }
        s += len;
        s += *s == ' ';
    }
    return scopes;
}

/* What tokens and TSIG keys show alike. */
static void credential_fields(json_t *o, const char *scopes, const char *zones_json,
                              const char *policies_json, const char *expires_at,
                              const char *created_at, const char *revoked_at)
{
    json_object_set_new(o, "scopes", scopes_array(scopes));
    json_object_set_new(o, "zones", json_text_or_null(zones_json));
    json_object_set_new(o, "policies", json_text_or_null(policies_json));
    json_object_set_new(o, "expires_at", str_or_null(expires_at));
    json_object_set_new(o, "created_at", str_or_null(created_at));
    json_object_set_new(o, "revoked_at", str_or_null(revoked_at));
}

json_t *view_token(const store_token_t *t)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", str_or_null(t->id));
    json_object_set_new(o, "name", str_or_null(t->name));
    credential_fields(o, t->scopes, t->zones_json, t->policies_json, t->expires_at, t->created_at,
                      t->revoked_at);
    return o;
}

json_t *view_tsig_key(const store_tsig_t *k)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", str_or_null(k->id));
    json_object_set_new(o, "name", str_or_null(k->name));
    json_object_set_new(o, "algorithm", str_or_null(k->algorithm));
    credential_fields(o, k->scopes, k->zones_json, k->policies_json, k->expires_at, k->created_at,
                      k->revoked_at);
    return o;
}

json_t *view_change_entry(const store_change_entry_t *e)
{
    json_t *c = json_object();
    json_object_set_new(c, "id", json_string(e->id));
    json_object_set_new(c, "serial", json_integer(e->serial));
    json_object_set_new(c, "action", json_string(e->action));
    json_object_set_new(c, "record_id", json_string(e->record_id));
    json_object_set_new(c, "name", str_or_null(e->name));
    json_object_set_new(c, "type", str_or_null(e->type));
    json_object_set_new(c, "before", json_text_or_null(e->before_json));
    json_object_set_new(c, "after", json_text_or_null(e->after_json));
    json_object_set_new(c, "token_id", str_or_null(e->token_id));
    json_object_set_new(c, "tsig_key_id", str_or_null(e->tsig_key_id));
    json_object_set_new(c, "created_at", json_string(e->created_at));
    return c;
}

void view_json_string(strbuf_t *b, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    size_t start = 0;
    strbuf_add(b, "\"", 1);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') {
            continue;
        }
        strbuf_add(b, s + start, i - start);
        if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            strbuf_add(b, esc, 2);
        } else {
            char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            strbuf_add(b, esc, 6);
        }
        start = i + 1;
    }
    strbuf_add(b, s + start, len - start);
    strbuf_add(b, "\"", 1);
}

#define LIT(b, s) strbuf_add((b), (s), sizeof(s) - 1)

static void put_str(strbuf_t *b, const char *s)
{
    if (s == NULL) {
        LIT(b, "null");
    } else {
        view_json_string(b, s, strlen(s));
    }
}

static void put_uint(strbuf_t *b, unsigned long v)
{
    char num[24];
    int n = snprintf(num, sizeof(num), "%lu", v);
    strbuf_add(b, num, (size_t)n);
}

void view_records_write(strbuf_t *b, const dns_record_t *rows, size_t n)
{
    LIT(b, "[");
    for (size_t i = 0; i < n; i++) {
        const dns_record_t *r = &rows[i];
        if (i > 0) {
            LIT(b, ",");
        }
        LIT(b, "{\"id\":");
        put_str(b, r->id);
        LIT(b, ",\"name\":");
        put_str(b, r->name);
        LIT(b, ",\"type\":");
        put_str(b, r->type);
        LIT(b, ",\"content\":");
        put_str(b, r->content);
        LIT(b, ",\"ttl\":");
        put_uint(b, r->ttl);
        if (r->priority >= 0) {
            LIT(b, ",\"priority\":");
            put_uint(b, (unsigned long)r->priority);
        }
        if (r->disabled) {
            LIT(b, ",\"disabled\":true");
        } else {
            LIT(b, ",\"disabled\":false");
        }
        if (r->system) {
            LIT(b, ",\"system\":true");
        } else {
            LIT(b, ",\"system\":false");
        }
        LIT(b, ",\"managed_by\":");
        put_str(b, r->managed_by);
        LIT(b, ",\"comment\":");
        put_str(b, r->comment);
        LIT(b, ",\"created_at\":");
        put_str(b, r->created_at);
        LIT(b, ",\"updated_at\":");
        put_str(b, r->updated_at);
        LIT(b, "}");
    }
    LIT(b, "]");
}

json_t *view_pagination(long long total, long long offset, long long limit, long long count,
                        bool has_more, const char *next_cursor)
{
    json_t *p = json_object();
    json_object_set_new(p, "total", json_integer(total));
    json_object_set_new(p, "offset", json_integer(offset));
    json_object_set_new(p, "limit", json_integer(limit));
    json_object_set_new(p, "count", json_integer(count));
    json_object_set_new(p, "has_more", json_boolean(has_more));
    json_object_set_new(p, "next_cursor", next_cursor ? json_string(next_cursor) : json_null());
    return p;
}

json_t *view_page(const char *key, json_t *items, long long total, long long offset,
                  long long limit, size_t count, bool has_more, const char *cursor)
{
    json_t *d = json_object();
    json_object_set_new(d, key, items);
    json_object_set_new(d, "pagination",
                        view_pagination(total, offset, limit, (long long)count, has_more, cursor));
    return d;
}

const char api_cursor_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

char *view_cursor_encode(const char *const *fields, int n)
{
    const char *b64url = api_cursor_alphabet;
    json_t *arr = json_array();
    for (int i = 0; i < n; i++) {
        json_array_append_new(arr, json_string(fields[i]));
    }
    char *js = json_dumps(arr, JSON_COMPACT);
    json_decref(arr);
    if (js == NULL) {
        return NULL;
    }
    size_t len = strlen(js);
    char *out = malloc(len * 4 / 3 + 4);
    if (out == NULL) {
        free(js);
        return NULL;
    }
    size_t o = 0;
    for (size_t i = 0; i < len; i += 3) {
        unsigned v = (unsigned char)js[i] << 16;
        if (i + 1 < len) {
            v |= (unsigned char)js[i + 1] << 8;
        }
        if (i + 2 < len) {
            v |= (unsigned char)js[i + 2];
        }
        out[o++] = b64url[(v >> 18) & 63];
        out[o++] = b64url[(v >> 12) & 63];
        if (i + 1 < len) {
            out[o++] = b64url[(v >> 6) & 63];
        }
        if (i + 2 < len) {
            out[o++] = b64url[v & 63];
        }
    }
    out[o] = '\0';
    free(js);
    return out;
}

void view_warnings_add(json_t *d, const dns_report_t *rep)
{
    if (rep == NULL || rep->n_warnings == 0) {
        return;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < rep->n_warnings; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "code", json_string(rep->warnings[i].code));
        json_object_set_new(o, "message", str_or_null(rep->warnings[i].message));
        json_array_append_new(arr, o);
    }
    json_object_set_new(d, "warnings", arr);
}
