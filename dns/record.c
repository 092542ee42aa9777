/*
 * record.c - records from the fields a client gave: the one normalization
 * every write path shares (a JSON body, a master-file line, a DNS UPDATE
 * record), so a record means the same whichever way it arrives.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dns/change.h"
#include "dns/dns.h"

/* TXT RDATA holds at most 65,535 bytes; written as \DDD escapes, quoted
 * in 255-byte strings, its presentation is at most about four times that.
 * Content beyond this cannot be one record. */
#define CONTENT_MAX_CHARS (65535 * 4 + 1024)
#define RDATA_MAX_BYTES 65535
#define COMMENT_MAX_CHARS 10000

bool dns_record_is_system_kind(const char *zone, const char *name, const char *type)
{
    return strcasecmp(type, "SOA") == 0 ||
           (strcasecmp(type, "NS") == 0 && strcasecmp(name, zone) == 0);
}

bool dns_record_same_data(const dns_record_t *a, const dns_record_t *b)
{
    return strcasecmp(a->type, b->type) == 0 && strcmp(a->content, b->content) == 0 &&
           a->priority == b->priority;
}

/* A literal TXT text of len bytes becomes ceil(len / 255) character-strings,
 * each with its length byte. */
static bool txt_literal_fits(const char *content)
{
    size_t len = strlen(content);
    size_t strings = len == 0 ? 1 : (len + 254) / 255;
    return len + strings <= RDATA_MAX_BYTES;
}

/* Normalizes content of type with priority (-1: none given) into out
 * (copied into a), through dns_rdata_normalize with a buffer sized for the
 * input. */
static int content_normalize(const char *zone, const char *type, const char *content,
                             long long priority, arena_t *a, dns_record_t *out, dnsapi_err_t *err)
{
    size_t len = strlen(content);
    if (len > CONTENT_MAX_CHARS) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                              "The content is %zu characters long; the data of one record is at "
                              "most 65535 bytes.",
                              len);
    }
    if (strcmp(type, "TXT") == 0 && content[0] != '"' && !txt_literal_fits(content)) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                              "The text is %zu bytes long; a TXT record holds at most 65535 "
                              "bytes of data (about 65,270 bytes of text): split it over several "
                              "records.",
                              len);
    }
    size_t cap = len * 4 + 1024;
    char *buf = malloc(cap);
    if (buf == NULL) {
        return dnsapi_err_set(err, DNSAPI_ENOMEM, NULL, NULL, "out of memory");
    }
    int prio = -1;
    int rc = dns_rdata_normalize(zone, type, content, (long)priority, buf, cap, &prio, err);
    if (rc == DNSAPI_OK) {
        out->content = arena_strdup(a, buf);
        out->priority = prio;
        if (out->content == NULL) {
            rc = dnsapi_err_set(err, DNSAPI_ENOMEM, NULL, NULL, "out of memory");
        }
    }
    free(buf);
    return rc;
}

static int comment_check(const dns_fields_t *f, dnsapi_err_t *err)
{
    if (f->has_comment && f->comment != NULL && strlen(f->comment) > COMMENT_MAX_CHARS) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "too_long", "comment",
                              "comment must be at most %d characters", COMMENT_MAX_CHARS);
    }
    return DNSAPI_OK;
}

int dns_record_from_fields(const char *zone, const dns_fields_t *f, arena_t *a, dns_record_t *out,
                           dnsapi_err_t *err)
{
    char type[16], name[DNS_NAME_BUFSIZE];
    static const char *const required[] = {"name", "type", "content"};
    const char *given[] = {f->name, f->type, f->content};
    int rc;

    memset(out, 0, sizeof(*out));
    out->priority = -1;
    for (size_t i = 0; i < 3; i++) {
        if (given[i] == NULL) {
            return dnsapi_err_set(err, DNSAPI_EINVAL, "missing_field", required[i],
                                  "%s is required", required[i]);
        }
    }
    if ((rc = dns_type_normalize(f->type, type, sizeof(type), err)) != DNSAPI_OK ||
        (rc = dns_name_normalize(zone, f->name, name, sizeof(name), err)) != DNSAPI_OK ||
        (rc = comment_check(f, err)) != DNSAPI_OK) {
        return rc;
    }
    out->name = arena_strdup(a, name);
    out->type = arena_strdup(a, type);
    out->ttl = f->has_ttl ? (uint32_t)f->ttl : 0;
    out->disabled = f->has_disabled && f->disabled;
    out->comment = f->has_comment ? arena_strdup(a, f->comment) : NULL;
    if (out->name == NULL || out->type == NULL ||
        (f->has_comment && f->comment != NULL && out->comment == NULL)) {
        return dnsapi_err_set(err, DNSAPI_ENOMEM, NULL, NULL, "out of memory");
    }
    if (dns_record_is_system_kind(zone, name, type)) {
        /* refused by the system_record rule; nothing to read in it */
        out->content = arena_strdup(a, f->content);
        return out->content != NULL
                   ? DNSAPI_OK
                   : dnsapi_err_set(err, DNSAPI_ENOMEM, NULL, NULL, "out of memory");
    }
    return content_normalize(zone, type, f->content, f->has_priority ? f->priority : -1, a, out,
                             err);
}

int dns_record_patch(const char *zone, const dns_record_t *old, const dns_fields_t *f, arena_t *a,
                     dns_record_t *out, dnsapi_err_t *err)
{
    int rc = comment_check(f, err);
    if (rc != DNSAPI_OK) {
        return rc;
    }
    *out = *old;
    if (f->has_ttl) {
        out->ttl = (uint32_t)f->ttl;
    }
    if (f->has_disabled) {
        out->disabled = f->disabled;
    }
    if (f->has_comment) {
        out->comment = arena_strdup(a, f->comment);
        if (f->comment != NULL && out->comment == NULL) {
            return dnsapi_err_set(err, DNSAPI_ENOMEM, NULL, NULL, "out of memory");
        }
    }
    if (!(f->content != NULL) && !f->has_priority) {
        return DNSAPI_OK;
    }
    const char *content = (f->content != NULL) ? f->content : old->content;
    long long prio = f->has_priority ? f->priority : (f->content != NULL) ? -1 : old->priority;
    rc = content_normalize(zone, old->type, content, prio, a, out, err);
    if (rc != DNSAPI_OK && (f->content != NULL) && !f->has_priority && old->priority >= 0 &&
        strcmp(err->field, "priority") == 0) {
        /* new content without a priority keeps the old one */
        dnsapi_err_clear(err);
        rc = content_normalize(zone, old->type, content, old->priority, a, out, err);
    }
    return rc;
}
